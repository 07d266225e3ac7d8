// Array.prototype.find: visits holes as undefined.
(function () {
    "use strict";
    var P = Array.prototype;
    if (P.find) return;
    Object.defineProperty(P, "find", {
        configurable: true,
        writable: true,
        value: function find(fn, self) {
            if (this == null) throw new TypeError("Array.prototype.find called on " + this);
            var o = Object(this), n = o.length >>> 0;
            if (typeof fn != "function") throw new TypeError(fn + " is not a function");
            for (var i = 0; i < n; i++) if (fn.call(self, o[i], i, o)) return o[i];
        }
    });
})();
