// Array.prototype.fill: relative start and end.
(function () {
    "use strict";
    var P = Array.prototype;
    if (P.fill) return;
    Object.defineProperty(P, "fill", {
        configurable: true,
        writable: true,
        value: function fill(v, start, end) {
            if (this == null) throw new TypeError("Array.prototype.fill called on " + this);
            var o = Object(this), n = o.length >>> 0;
            var i = rel(start, 0), e = rel(end, n);
            for (; i < e; i++) o[i] = v;
            return o;
            function rel(x, d) {
                x = x === undefined ? d : +x || 0;
                x = x < 0 ? Math.ceil(x) : Math.floor(x);
                return x < 0 ? Math.max(n + x, 0) : Math.min(x, n);
            }
        }
    });
})();
