// Object.entries: own enumerable string keys, in Object.keys order.
(function () {
    "use strict";
    var O = Object;
    if (O.entries) return;
    O.defineProperty(O, "entries", {
        configurable: true,
        writable: true,
        value: function entries(o) {
            if (o == null) throw new TypeError("Cannot convert undefined or null to object");
            o = O(o);
            for (var k = O.keys(o), r = [], i = 0; i < k.length; i++)
                if (O.prototype.propertyIsEnumerable.call(o, k[i])) r.push([k[i], o[k[i]]]);
            return r;
        }
    });
})();
