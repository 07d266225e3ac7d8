// Number.isNaN: true only for the number NaN (no conversion).
(function () {
    "use strict";
    var P = Number;
    if (P.isNaN) return;
    Object.defineProperty(P, "isNaN", {
        configurable: true,
        writable: true,
        value: function isNaN(x) {
            return x !== x;
        }
    });
})();
