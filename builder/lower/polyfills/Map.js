// needs: Symbol
// Map, replacing a native one that lacks iterators or the iterable
// constructor (IE 11). Entries form a linked list in insertion order;
// lookup is by a string per primitive key and by an id stamped on object
// keys (a non-enumerable property; frozen objects are searched for).
(function () {
    "use strict";
    var O = Object, dp = O.defineProperty, N = typeof Map == "function" && Map, ID = "__kilnMapId", ids = 0;
    try {
        if (N && N.prototype.entries && new N([[1, 1]]).size == 1) return;
    } catch (e) {}
    function def(o, k, v) {
        dp(o, k, { configurable: true, writable: true, value: v });
    }
    // The lookup string of key k, or null for a key searched for in the
    // list (an object not extensible, a native symbol).
    function hash(k) {
        var t = typeof k;
        if (k === null) return "l";
        if (t == "symbol") return null; // String(k) is not unique: searched for
        if (t != "object" && t != "function") return t.charAt(0) + k;
        if (O.prototype.hasOwnProperty.call(k, ID)) return k[ID];
        if (!O.isExtensible(k)) return null;
        dp(k, ID, { value: "o" + ++ids });
        return k[ID];
    }
    function M(it) {
        if (!(this instanceof M)) throw new TypeError("Constructor Map requires 'new'");
        this.clear();
        if (it == null) return;
        var I = Symbol.iterator, f = it[I], i, s;
        if (typeof f == "function") for (f = f.call(it); !(s = f.next()).done; ) this.set(s.value[0], s.value[1]);
        else for (i = 0; i < it.length; i++) this.set(it[i][0], it[i][1]);
    }
    function find(m, k) {
        var h = hash(k), e;
        if (h !== null) return m.h[h];
        for (e = m.f; e && e.k !== k; e = e.n);
        return e;
    }
    var P = M.prototype;
    def(P, "get", function (k) {
        var e = find(this, k);
        return e && e.v;
    });
    def(P, "has", function (k) {
        return !!find(this, k);
    });
    def(P, "set", function (k, v) {
        var e = find(this, k), h;
        if (e) e.v = v;
        else {
            if (k === 0) k = 0; // -0 becomes +0
            e = { k: k, v: v, p: this.l, n: null };
            if (this.l) this.l.n = e;
            else this.f = e;
            this.l = e;
            h = hash(k);
            if (h !== null) this.h[h] = e;
            this.s++;
        }
        return this;
    });
    def(P, "delete", function (k) {
        var e = find(this, k);
        if (!e) return false;
        e.r = 1; // iterators on e walk back through p to a live entry
        if (e.p) e.p.n = e.n;
        else this.f = e.n;
        if (e.n) e.n.p = e.p;
        else this.l = e.p;
        delete this.h[hash(k)];
        this.s--;
        return true;
    });
    def(P, "clear", function () {
        for (var e = this.f; e; e = e.n) e.r = 1;
        this.h = O.create(null);
        this.f = this.l = null;
        this.s = 0;
    });
    dp(P, "size", {
        configurable: true,
        get: function () {
            return this.s;
        }
    });
    def(P, "forEach", function (fn, self) {
        for (var it = new It(this, 2), s; !(s = it.next()).done; ) fn.call(self, s.value[1], s.value[0], this);
    });
    // kind 0: keys, 1: values, 2: entries.
    function It(m, kind) {
        this.m = m;
        this.t = kind;
        this.e = null;
    }
    def(It.prototype, "next", function () {
        var e = this.e, m = this.m;
        if (!m) return { value: undefined, done: true };
        while (e && e.r) e = e.p;
        e = this.e = e ? e.n : m.f;
        if (!e) {
            this.m = null;
            return { value: undefined, done: true };
        }
        return { value: this.t == 0 ? e.k : this.t == 1 ? e.v : [e.k, e.v], done: false };
    });
    def(It.prototype, Symbol.iterator, function () {
        return this;
    });
    ["keys", "values", "entries"].forEach(function (name, kind) {
        def(P, name, function () {
            return new It(this, kind);
        });
    });
    def(P, Symbol.iterator, P.entries);
    if (Symbol.toStringTag) {
        def(P, Symbol.toStringTag, "Map");
        def(It.prototype, Symbol.toStringTag, "Map Iterator");
    }
    (typeof self == "object" ? self : Function("return this")()).Map = M;
})();
