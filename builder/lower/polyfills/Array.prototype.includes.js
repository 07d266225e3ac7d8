// Array.prototype.includes: SameValueZero (finds NaN, -0 equals 0), holes read as undefined.
(function () {
    "use strict";
    var P = Array.prototype;
    if (P.includes) return;
    Object.defineProperty(P, "includes", {
        configurable: true,
        writable: true,
        value: function includes(x, from) {
            if (this == null) throw new TypeError("Array.prototype.includes called on " + this);
            var o = Object(this), n = o.length >>> 0;
            for (var i = int(from), i = i < 0 ? Math.max(n + i, 0) : i; i < n; i++)
                if (o[i] === x || (x !== x && o[i] !== o[i])) return true;
            return false;
            function int(x) {
                x = +x || 0;
                return x < 0 ? Math.ceil(x) : Math.floor(x);
            }
        }
    });
})();
