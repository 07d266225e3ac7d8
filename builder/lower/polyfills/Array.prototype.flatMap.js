// Array.prototype.flatMap: one level; holes are skipped.
(function () {
    "use strict";
    var P = Array.prototype;
    if (P.flatMap) return;
    Object.defineProperty(P, "flatMap", {
        configurable: true,
        writable: true,
        value: function flatMap(fn, self) {
            if (this == null) throw new TypeError("Array.prototype.flatMap called on " + this);
            var o = Object(this), n = o.length >>> 0;
            if (typeof fn != "function") throw new TypeError(fn + " is not a function");
            for (var r = [], i = 0, v; i < n; i++)
                if (i in o) {
                    v = fn.call(self, o[i], i, o);
                    if (Array.isArray(v)) for (var j = 0; j < v.length; j++) j in v && r.push(v[j]);
                    else r.push(v);
                }
            return r;
        }
    });
})();
