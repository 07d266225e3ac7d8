// String.raw: the raw strings of a template object, the substitutions between.
(function () {
    "use strict";
    if (String.raw) return;
    Object.defineProperty(String, "raw", {
        configurable: true,
        writable: true,
        value: function raw(strings) {
            if (strings == null) throw new TypeError("Cannot convert undefined or null to object");
            var r = Object(strings.raw);
            if (strings.raw == null) throw new TypeError("Cannot convert undefined or null to object");
            var n = r.length >>> 0, out = "";
            for (var i = 0; i < n; i++) {
                out += String(r[i]);
                if (i + 1 < n && i + 1 < arguments.length) out += String(arguments[i + 1]);
            }
            return out;
        }
    });
})();
