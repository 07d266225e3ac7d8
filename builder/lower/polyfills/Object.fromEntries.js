// Object.fromEntries: from an iterable (or, without Symbol.iterator, an
// array-like) of [key, value] pairs.
(function () {
    "use strict";
    var O = Object;
    if (O.fromEntries) return;
    O.defineProperty(O, "fromEntries", {
        configurable: true,
        writable: true,
        value: function fromEntries(it) {
            if (it == null) throw new TypeError(it + " is not iterable");
            var r = {}, I = typeof Symbol == "function" && Symbol.iterator, f = I && it[I], i, s;
            function add(e) {
                if (e === null || (typeof e != "object" && typeof e != "function")) throw new TypeError("Iterator value " + e + " is not an entry object");
                O.defineProperty(r, e[0], { configurable: true, enumerable: true, writable: true, value: e[1] });
            }
            if (typeof f == "function") for (f = f.call(it); !(s = f.next()).done; ) add(s.value);
            else for (i = 0; i < it.length; i++) add(it[i]);
            return r;
        }
    });
})();
