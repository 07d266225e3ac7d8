// String.prototype.endsWith: a RegExp argument throws.
(function () {
    "use strict";
    var P = String.prototype;
    if (P.endsWith) return;
    Object.defineProperty(P, "endsWith", {
        configurable: true,
        writable: true,
        value: function endsWith(x, end) {
            if (this == null) throw new TypeError("String.prototype.endsWith called on " + this);
            var s = String(this);
            if (Object.prototype.toString.call(x) == "[object RegExp]")
                throw new TypeError("First argument to String.prototype.endsWith must not be a regular expression");
            x = String(x);
            end = end === undefined ? s.length : Math.min(Math.max(Math.floor(+end) || 0, 0), s.length);
            return end >= x.length && s.slice(end - x.length, end) == x;
        }
    });
})();
