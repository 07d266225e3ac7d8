// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Keys and shapes around the class: string, numeric and symbol keys,
// static fields overriding name and length, classes in loop bodies (one
// set of private stores per evaluation), in switch cases, returning an
// object from a derived constructor, async and generator private methods.
const sym = Symbol("s");
class Keys {
    "a b" = 1;
    42 = "num";
    [sym] = "symbol";
    0x10 = "hex";
    static name = "Renamed";
    static length = 7;
}
const k = new Keys();
console.log(k["a b"], k[42], k[sym], k[16], Keys.name, Keys.length, Object.keys(k).join("|"));

const made = [];
for (let i = 0; i < 3; i++) {
    class Item {
        #i = i;
        get() {
            return this.#i;
        }
    }
    made.push(new Item());
}
console.log(made.map((m) => m.get()).join(","));
try {
    made[0].get.call(made[1]);
} catch (e) {
    console.log(e.constructor.name);
}

function pick(kind) {
    switch (kind) {
        case "a":
            class A {
                static tag = "A";
                #n = 1;
                n() {
                    return this.#n;
                }
            }
            return A.tag + new A().n();
        default:
            return "none";
    }
}
console.log(pick("a"), pick("b"));

class Plain {
    marker = "never seen";
}
class Returns extends Plain {
    field = "set";
    constructor(other) {
        super();
        return other;
    }
}
const other = { own: true };
console.log(new Returns(other) === other, JSON.stringify(other));

class Async {
    #v = 5;
    async #get() {
        return this.#v;
    }
    *#gen() {
        yield this.#v;
        yield this.#v + 1;
    }
    run() {
        return this.#get();
    }
    list() {
        return [...this.#gen()].join(",");
    }
}
new Async().run().then((v) => console.log("async", v, new Async().list()));
