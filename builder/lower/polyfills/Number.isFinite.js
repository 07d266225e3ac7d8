// Number.isFinite: no conversion.
(function () {
    "use strict";
    var P = Number;
    if (P.isFinite) return;
    Object.defineProperty(P, "isFinite", {
        configurable: true,
        writable: true,
        value: function isFinite(x) {
            return typeof x == "number" && x - x === 0;
        }
    });
})();
