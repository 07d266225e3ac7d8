// Symbol: a native one gets the well-known symbols it lacks. Without one,
// a symbol is an object whose toString is a unique key; assigning to that
// key on an ordinary object defines a non-enumerable property (a setter on
// Object.prototype), and getOwnPropertyNames leaves such keys out.
(function () {
    "use strict";
    var O = Object, dp = O.defineProperty, S = typeof Symbol == "function" && Symbol, emu = !S;
    var wk = ["iterator", "asyncIterator", "toStringTag"], reg = {}, i;
    function def(o, k, v) {
        dp(o, k, { configurable: true, writable: true, value: v });
    }
    if (emu) {
        var n = 0, OP = O.prototype, byKey = O.create(null), gopn = O.getOwnPropertyNames, ts = OP.toString;
        S = function Symbol(d) {
            if (this instanceof S) throw new TypeError("Symbol is not a constructor");
            var s = O.create(S.prototype), k = "@@" + d + "@" + ++n + "." + Math.random();
            dp(s, "k", { value: k });
            dp(s, "d", { value: d === undefined ? d : String(d) });
            byKey[k] = s;
            dp(OP, k, {
                configurable: true,
                set: function (v) {
                    def(this, k, v);
                }
            });
            return s;
        };
        def(S.prototype, "toString", function () {
            return this.k;
        });
        def(S.prototype, "valueOf", function () {
            return this;
        });
        dp(S.prototype, "description", {
            configurable: true,
            get: function () {
                return this.d;
            }
        });
        function own(o, sym) {
            var r = [], a = gopn(o), j;
            for (j = 0; j < a.length; j++) if ((a[j] in byKey) == sym) r.push(sym ? byKey[a[j]] : a[j]);
            return r;
        }
        def(O, "getOwnPropertyNames", function (o) {
            return own(o, false);
        });
        def(O, "getOwnPropertySymbols", function (o) {
            return own(o, true);
        });
        def(OP, "toString", function () {
            var t = this != null && this[S.toStringTag];
            return typeof t == "string" ? "[object " + t + "]" : ts.call(this);
        });
        (typeof self == "object" ? self : Function("return this")()).Symbol = S;
    }
    for (i = 0; i < wk.length; i++) if (!S[wk[i]]) def(S, wk[i], S("Symbol." + wk[i]));
    if (emu) def(S.prototype, S.toStringTag, "Symbol");
    if (!S["for"]) {
        def(S, "for", function (k) {
            k = String(k);
            return reg["$" + k] || (reg["$" + k] = S(k));
        });
        def(S, "keyFor", function (s) {
            if (!(s instanceof S) && typeof s != "symbol") throw new TypeError(s + " is not a symbol");
            for (var k in reg) if (reg[k] === s) return k.slice(1);
        });
    }
})();
