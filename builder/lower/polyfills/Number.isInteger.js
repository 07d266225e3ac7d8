// Number.isInteger: no conversion.
(function () {
    "use strict";
    var P = Number;
    if (P.isInteger) return;
    Object.defineProperty(P, "isInteger", {
        configurable: true,
        writable: true,
        value: function isInteger(x) {
            return typeof x == "number" && x - x === 0 && Math.floor(x) === x;
        }
    });
})();
