// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Fields of a derived class exist once super() returns, at every super
// call site; initializers do not see the constructor's parameters.
const x = "outer x";
class Base {
    constructor() {
        console.log("Base sees field?", Object.prototype.hasOwnProperty.call(this, "f"));
        this.fromBase = 1;
    }
}
class One extends Base {
    f = this.fromBase + 1;
    g = x;
    constructor(x) {
        console.log("before super");
        super();
        console.log("after super", this.f, this.g, x);
    }
}
new One("param x");
class Two extends Base {
    f = "two";
    constructor(flag) {
        if (flag) {
            super();
        } else {
            const make = () => super();
            make();
        }
        console.log("two", flag, this.f);
    }
}
new Two(true);
new Two(false);
class Implicit extends Base {
    f = "implicit";
    #p = 5;
    get p() {
        return this.#p;
    }
}
const im = new Implicit(1, 2);
console.log(im.f, im.p);
class Args extends Array {
    extra = "e";
}
const arr = new Args(3);
console.log(arr.length, arr.extra, Array.isArray(arr));
class Inner extends Base {
    a = 1;
    constructor() {
        let a = "local a";
        var y = "local y";
        super();
        console.log(a, y, this.a);
    }
}
new Inner();
