// needs: Symbol
// String.prototype[Symbol.iterator]: the string's code points.
(function () {
    "use strict";
    var SP = String.prototype, I = Symbol.iterator;
    if (SP[I]) return;
    function def(o, k, v) {
        Object.defineProperty(o, k, { configurable: true, writable: true, value: v });
    }
    function It(s) {
        this.s = s;
        this.i = 0;
    }
    def(It.prototype, "next", function () {
        var s = this.s, i = this.i, c;
        if (i >= s.length) return { value: undefined, done: true };
        c = s.charCodeAt(i);
        c = c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) == 0xdc00 ? 2 : 1;
        this.i = i + c;
        return { value: s.substr(i, c), done: false };
    });
    def(It.prototype, I, function () {
        return this;
    });
    if (Symbol.toStringTag) def(It.prototype, Symbol.toStringTag, "String Iterator");
    def(SP, I, function () {
        if (this == null) throw new TypeError("String.prototype[Symbol.iterator] called on " + this);
        return new It(String(this));
    });
})();
