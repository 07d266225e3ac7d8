// needs: WeakMap
// WeakSet, over a WeakMap from each value to true.
(function () {
    "use strict";
    var N = typeof WeakSet == "function" && WeakSet;
    try {
        var k = {};
        if (N && new N([k]).has(k)) return;
    } catch (e) {}
    function def(o, k, v) {
        Object.defineProperty(o, k, { configurable: true, writable: true, value: v });
    }
    function S(it) {
        if (!(this instanceof S)) throw new TypeError("Constructor WeakSet requires 'new'");
        def(this, "m", new WeakMap());
        if (it == null) return;
        var I = typeof Symbol == "function" && Symbol.iterator, f = I && it[I], i, s;
        if (typeof f == "function") for (f = f.call(it); !(s = f.next()).done; ) this.add(s.value);
        else for (i = 0; i < it.length; i++) this.add(it[i]);
    }
    var P = S.prototype;
    def(P, "add", function (v) {
        if (v === null || (typeof v != "object" && typeof v != "function")) throw new TypeError("Invalid value used in weak set");
        this.m.set(v, true);
        return this;
    });
    def(P, "has", function (v) {
        return this.m.has(v);
    });
    def(P, "delete", function (v) {
        return this.m["delete"](v);
    });
    if (typeof Symbol == "function" && Symbol.toStringTag) def(P, Symbol.toStringTag, "WeakSet");
    (typeof self == "object" ? self : Function("return this")()).WeakSet = S;
})();
