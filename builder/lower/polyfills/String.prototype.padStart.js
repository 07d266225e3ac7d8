// String.prototype.padStart: the filler is repeated and cut to fit.
(function () {
    "use strict";
    var P = String.prototype;
    if (P.padStart) return;
    Object.defineProperty(P, "padStart", {
        configurable: true,
        writable: true,
        value: function padStart(len, fill) {
            if (this == null) throw new TypeError("String.prototype.padStart called on " + this);
            var s = String(this);
            var m = Math.floor(+len || 0) - s.length, f = fill === undefined ? " " : String(fill);
            if (m <= 0 || !f) return s;
            while (f.length < m) f += f;
            f = f.slice(0, m);
            return f + s;
        }
    });
})();
