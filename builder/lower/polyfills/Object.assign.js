// Object.assign: own enumerable string and symbol keys, through getters.
(function () {
    "use strict";
    var O = Object;
    if (O.assign) return;
    O.defineProperty(O, "assign", {
        configurable: true,
        writable: true,
        value: function assign(t) {
            if (t == null) throw new TypeError("Cannot convert undefined or null to object");
            t = O(t);
            for (var i = 1, s, k, j; i < arguments.length; i++) {
                if ((s = arguments[i]) == null) continue;
                s = O(s);
                k = O.keys(s);
                if (O.getOwnPropertySymbols) k = k.concat(O.getOwnPropertySymbols(s));
                for (j = 0; j < k.length; j++) if (O.prototype.propertyIsEnumerable.call(s, k[j])) t[k[j]] = s[k[j]];
            }
            return t;
        }
    });
})();
