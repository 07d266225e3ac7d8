// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// A sloppy script: code leaving a class body stays strict (this is not
// boxed, arguments are not aliased).
function outer() {
    return this === undefined ? "strict outer" : "sloppy outer";
}
class S {
    #kind() {
        return typeof this;
    }
    #args(a, b = 2) {
        a = 9;
        return [arguments[0], b, (function () { return this === undefined; })()].join(",");
    }
    static {
        this.blockStrict = (function () {
            return this === undefined;
        })();
    }
    static run() {
        const s = new S();
        return [s.#kind.call(5), s.#args(1), S.blockStrict, outer()].join(" ");
    }
}
console.log(S.run());
