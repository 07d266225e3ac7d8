// needs: Symbol
// Array.prototype.values, keys, entries and [Symbol.iterator] (values):
// iterators that read the length at each step, as natives do.
(function () {
    "use strict";
    var AP = Array.prototype, I = Symbol.iterator, kinds = ["keys", "values", "entries"], i;
    function def(o, k, v) {
        Object.defineProperty(o, k, { configurable: true, writable: true, value: v });
    }
    function It(o, kind) {
        this.o = o;
        this.k = kind;
        this.i = 0;
    }
    def(It.prototype, "next", function () {
        var o = this.o, i = this.i;
        if (!o || i >= o.length) {
            this.o = null;
            return { value: undefined, done: true };
        }
        this.i++;
        return { value: this.k == 0 ? i : this.k == 1 ? o[i] : [i, o[i]], done: false };
    });
    def(It.prototype, I, function () {
        return this;
    });
    if (Symbol.toStringTag) def(It.prototype, Symbol.toStringTag, "Array Iterator");
    for (i = 0; i < 3; i++)
        if (!AP[kinds[i]])
            def(AP, kinds[i], (function (k) {
                return function () {
                    if (this == null) throw new TypeError("Array.prototype." + kinds[k] + " called on " + this);
                    return new It(Object(this), k);
                };
            })(i));
    if (!AP[I]) def(AP, I, AP.values);
    // Typed arrays and arguments objects get theirs natively or never.
})();
