// String.prototype.padEnd: the filler is repeated and cut to fit.
(function () {
    "use strict";
    var P = String.prototype;
    if (P.padEnd) return;
    Object.defineProperty(P, "padEnd", {
        configurable: true,
        writable: true,
        value: function padEnd(len, fill) {
            if (this == null) throw new TypeError("String.prototype.padEnd called on " + this);
            var s = String(this);
            var m = Math.floor(+len || 0) - s.length, f = fill === undefined ? " " : String(fill);
            if (m <= 0 || !f) return s;
            while (f.length < m) f += f;
            f = f.slice(0, m);
            return s + f;
        }
    });
})();
