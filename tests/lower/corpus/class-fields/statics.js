// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Static fields see the class (by name and as `this`); static blocks run in
// order with them, with their own var scope; class expressions keep their
// names.
var v = "outer v";
class Config {
    static defaults = { size: 1 };
    static size = Config.defaults.size * 2;
    static twice = this.size * 2;
    static {
        var v = "block v";
        this.fromBlock = v + " " + Config.twice;
    }
    static after = this.fromBlock + "!";
}
console.log(Config.size, Config.twice, Config.fromBlock, Config.after, v);
console.log(Object.keys(Config).join(","));

const Named = class Inner {
    static me = Inner;
    static self = this;
    static #count = 1;
    static count() {
        return Inner.#count++;
    }
    static #peek() {
        return Inner.#count;
    }
    static peek() {
        return this.#peek();
    }
};
console.log(Named.name, Named.me === Named, Named.self === Named, Named.count(), Named.count(), Named.peek());

const Anon = class {
    static tag = "anon";
};
console.log(Anon.name, Anon.tag);
let Assigned;
Assigned = class {
    static x = 1;
};
console.log(Assigned.name);
const holder = [
    class {
        static y = 2;
    },
];
console.log(JSON.stringify(holder[0].name), holder[0].y);

function factory(n) {
    return class {
        static n = n;
        #v = n * 10;
        value() {
            return this.#v;
        }
    };
}
const F1 = factory(1), F2 = factory(2);
console.log(F1.n, F2.n, new F1().value(), new F2().value());
try {
    F1.prototype.value.call(new F2());
} catch (e) {
    console.log(e.constructor.name);
}

const { Exported } = (() => {
    class Exported {
        static ready = true;
    }
    return { Exported };
})();
console.log(Exported.ready);

class WithSymbol {
    static [Symbol.iterator] = function* () {
        yield 1;
        yield 2;
    };
}
console.log([...WithSymbol].join(","));
