// String.prototype.includes: a RegExp argument throws.
(function () {
    "use strict";
    var P = String.prototype;
    if (P.includes) return;
    Object.defineProperty(P, "includes", {
        configurable: true,
        writable: true,
        value: function includes(x, from) {
            if (this == null) throw new TypeError("String.prototype.includes called on " + this);
            var s = String(this);
            if (Object.prototype.toString.call(x) == "[object RegExp]")
                throw new TypeError("First argument to String.prototype.includes must not be a regular expression");
            return s.indexOf(x, from) != -1;
        }
    });
})();
