// String.prototype.repeat: by doubling; a negative or infinite count throws.
(function () {
    "use strict";
    var P = String.prototype;
    if (P.repeat) return;
    Object.defineProperty(P, "repeat", {
        configurable: true,
        writable: true,
        value: function repeat(n) {
            if (this == null) throw new TypeError("String.prototype.repeat called on " + this);
            var s = String(this);
            n = Math.floor(+n || 0);
            if (n < 0 || n == Infinity) throw new RangeError("Invalid count value: " + n);
            if (s && n >= 2147483648) throw new RangeError("Invalid string length");
            for (var r = ""; n >= 1; n /= 2, s += s) if (n & 1) r += s;
            return r;
        }
    });
})();
