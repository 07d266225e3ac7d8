// needs: Map Symbol
// Set, over a Map from each value to itself (so iteration order, -0 and
// NaN, and deleting while iterating behave as Map's), replacing a native
// one that lacks iterators or the iterable constructor (IE 11).
(function () {
    "use strict";
    var N = typeof Set == "function" && Set;
    try {
        if (N && N.prototype.values && new N([1]).size == 1) return;
    } catch (e) {}
    function def(o, k, v) {
        Object.defineProperty(o, k, { configurable: true, writable: true, value: v });
    }
    function S(it) {
        if (!(this instanceof S)) throw new TypeError("Constructor Set requires 'new'");
        def(this, "m", new Map());
        if (it == null) return;
        var f = it[Symbol.iterator], i, s;
        if (typeof f == "function") for (f = f.call(it); !(s = f.next()).done; ) this.add(s.value);
        else for (i = 0; i < it.length; i++) this.add(it[i]);
    }
    var P = S.prototype;
    def(P, "add", function (v) {
        this.m.set(v, v);
        return this;
    });
    ["has", "delete", "clear", "keys", "entries"].forEach(function (k) {
        def(P, k, function (v) {
            return this.m[k](v);
        });
    });
    def(P, "values", P.keys);
    def(P, Symbol.iterator, P.keys);
    Object.defineProperty(P, "size", {
        configurable: true,
        get: function () {
            return this.m.size;
        }
    });
    def(P, "forEach", function (fn, self) {
        var s = this;
        this.m.forEach(function (v) {
            fn.call(self, v, v, s);
        });
    });
    if (Symbol.toStringTag) def(P, Symbol.toStringTag, "Set");
    (typeof self == "object" ? self : Function("return this")()).Set = S;
})();
