// Fields, privates, statics and a static block on base classes, in the
// ES5 syntax the ES5 passes on main take (WeakMap and WeakSet polyfilled).
var log = [];
class A {
    x = 1;
    #p = 2;
    static s = 3;
    static {
        log.push("block " + this.s);
    }
    getP() {
        return this.#p;
    }
    #m() {
        return this.x;
    }
    get #acc() {
        return this.#p * 10;
    }
    callM() {
        this.#p += 1;
        this.#p++;
        return this.#m() + "/" + this.#acc;
    }
    static has(o) {
        return #p in o;
    }
}
var b = new A();
var c = new A();
log.push(b.getP(), b.callM(), A.has(b), A.has({}), c.getP());
try {
    A.prototype.getP.call({});
} catch (e) {
    log.push(e instanceof TypeError);
}
var E = class {
    static k = "e";
};
log.push(E.k);
console.log(log.join(","));
