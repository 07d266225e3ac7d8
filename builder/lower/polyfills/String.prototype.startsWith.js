// String.prototype.startsWith: a RegExp argument throws.
(function () {
    "use strict";
    var P = String.prototype;
    if (P.startsWith) return;
    Object.defineProperty(P, "startsWith", {
        configurable: true,
        writable: true,
        value: function startsWith(x, at) {
            if (this == null) throw new TypeError("String.prototype.startsWith called on " + this);
            var s = String(this);
            if (Object.prototype.toString.call(x) == "[object RegExp]")
                throw new TypeError("First argument to String.prototype.startsWith must not be a regular expression");
            x = String(x);
            at = Math.min(Math.max(Math.floor(+at) || 0, 0), s.length);
            return s.substr(at, x.length) == x;
        }
    });
})();
