// WeakMap: each map keeps its values on the key objects themselves, under
// a non-enumerable property of its own name, so a key's values die with
// it. A key that is not extensible (frozen) is kept in a list instead, and
// that list holds it strongly. Replaces a native one without the iterable
// constructor (IE 11).
(function () {
    "use strict";
    var O = Object, N = typeof WeakMap == "function" && WeakMap, n = 0;
    try {
        var k = {};
        if (N && new N([[k, 1]]).get(k) == 1) return;
    } catch (e) {}
    function def(o, k, v) {
        O.defineProperty(o, k, { configurable: true, writable: true, value: v });
    }
    function isObj(k) {
        return k !== null && (typeof k == "object" || typeof k == "function");
    }
    function W(it) {
        if (!(this instanceof W)) throw new TypeError("Constructor WeakMap requires 'new'");
        def(this, "k", "__kilnWeakMap" + ++n + "." + Math.random());
        def(this, "f", []); // frozen keys, then their values
        if (it == null) return;
        var I = typeof Symbol == "function" && Symbol.iterator, f = I && it[I], i, s;
        if (typeof f == "function") for (f = f.call(it); !(s = f.next()).done; ) this.set(s.value[0], s.value[1]);
        else for (i = 0; i < it.length; i++) this.set(it[i][0], it[i][1]);
    }
    // The index in f of frozen key k, or -1.
    function slot(m, k) {
        for (var i = 0; i < m.f.length; i += 2) if (m.f[i] === k) return i;
        return -1;
    }
    function own(m, k) {
        return O.prototype.hasOwnProperty.call(k, m.k);
    }
    var P = W.prototype;
    def(P, "get", function (k) {
        if (!isObj(k)) return;
        if (own(this, k)) return k[this.k];
        var i = slot(this, k);
        return i < 0 ? undefined : this.f[i + 1];
    });
    def(P, "has", function (k) {
        return isObj(k) && (own(this, k) || slot(this, k) >= 0);
    });
    def(P, "set", function (k, v) {
        if (!isObj(k)) throw new TypeError("Invalid value used as weak map key");
        var i;
        if (own(this, k) || O.isExtensible(k)) def(k, this.k, v);
        else if ((i = slot(this, k)) >= 0) this.f[i + 1] = v;
        else this.f.push(k, v);
        return this;
    });
    def(P, "delete", function (k) {
        if (!isObj(k)) return false;
        if (own(this, k)) return delete k[this.k];
        var i = slot(this, k);
        return i >= 0 && !!this.f.splice(i, 2);
    });
    if (typeof Symbol == "function" && Symbol.toStringTag) def(P, Symbol.toStringTag, "WeakMap");
    (typeof self == "object" ? self : Function("return this")()).WeakMap = W;
})();
