// Array.of.
(function () {
    "use strict";
    if (Array.of) return;
    Object.defineProperty(Array, "of", {
        configurable: true,
        writable: true,
        value: function of() {
            for (var C = typeof this == "function" ? this : Array, n = arguments.length, r = new C(n), i = 0; i < n; i++) r[i] = arguments[i];
            r.length = n;
            return r;
        }
    });
})();
