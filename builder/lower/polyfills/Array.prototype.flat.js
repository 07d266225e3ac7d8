// Array.prototype.flat: depth (1 by default, Infinity too); holes are skipped.
(function () {
    "use strict";
    var P = Array.prototype;
    if (P.flat) return;
    Object.defineProperty(P, "flat", {
        configurable: true,
        writable: true,
        value: function flat(depth) {
            if (this == null) throw new TypeError("Array.prototype.flat called on " + this);
            var o = Object(this), n = o.length >>> 0;
            var r = [];
            (function add(a, d) {
                for (var i = 0, m = a.length >>> 0; i < m; i++)
                    if (i in a) {
                        if (d > 0 && Array.isArray(a[i])) add(a[i], d - 1);
                        else r.push(a[i]);
                    }
            })(o, depth === undefined ? 1 : +depth || 0);
            return r;
        }
    });
})();
