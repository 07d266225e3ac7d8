// Object.values: own enumerable string keys, in Object.keys order.
(function () {
    "use strict";
    var O = Object;
    if (O.values) return;
    O.defineProperty(O, "values", {
        configurable: true,
        writable: true,
        value: function values(o) {
            if (o == null) throw new TypeError("Cannot convert undefined or null to object");
            o = O(o);
            for (var k = O.keys(o), r = [], i = 0; i < k.length; i++)
                if (O.prototype.propertyIsEnumerable.call(o, k[i])) r.push(o[k[i]]);
            return r;
        }
    });
})();
