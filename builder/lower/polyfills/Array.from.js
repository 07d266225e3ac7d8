// Array.from: iterables (strings by code point even without a string
// iterator), else array-likes; with a map function; C.from makes a C.
(function () {
    "use strict";
    if (Array.from) return;
    Object.defineProperty(Array, "from", {
        configurable: true,
        writable: true,
        value: function from(x, fn, self) {
            if (x == null) throw new TypeError(x + " is not iterable");
            if (fn !== undefined && typeof fn != "function") throw new TypeError(fn + " is not a function");
            var C = typeof this == "function" ? this : Array, I = typeof Symbol == "function" && Symbol.iterator;
            var f = I && x[I], r, n = 0, s;
            if (typeof x == "string" && typeof f != "function") x = x.match(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g) || [];
            if (typeof f == "function") {
                r = new C();
                for (f = f.call(x); !(s = f.next()).done; n++)
                    try {
                        r[n] = fn ? fn.call(self, s.value, n) : s.value;
                    } catch (e) {
                        if (typeof f["return"] == "function") f["return"]();
                        throw e;
                    }
            } else {
                x = Object(x);
                r = new C(x.length >>> 0);
                for (; n < x.length; n++) r[n] = fn ? fn.call(self, x[n], n) : x[n];
            }
            r.length = n;
            return r;
        }
    });
})();
