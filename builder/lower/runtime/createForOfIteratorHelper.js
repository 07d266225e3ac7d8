function _createForOfIteratorHelper(o) {
    var m = typeof Symbol === "function" && o != null ? o[Symbol.iterator] : void 0;
    var it, next, i = 0, a, done = false, thrown = false, error;
    if (m != null) {
        it = m.call(o);
        if (Object(it) !== it) throw new TypeError("Result of the Symbol.iterator method is not an object");
        next = it.next;
    } else {
        a = Array.isArray(o) ? o : _unsupportedIterableToArray(o);
        it = {};
        next = function () {
            return i < a.length ? { done: false, value: a[i++] } : { done: true };
        };
    }
    return {
        v: void 0,
        n: function () {
            done = true;
            var s = next.call(it);
            if (Object(s) !== s) throw new TypeError("Iterator result " + s + " is not an object");
            if (s.done) return false;
            this.v = s.value;
            done = false;
            return true;
        },
        e: function (err) {
            thrown = true;
            error = err;
        },
        f: function () {
            if (!done) {
                done = true;
                if (thrown) {
                    try {
                        var ret = it["return"];
                        if (ret != null) ret.call(it);
                    } catch (ignored) {}
                } else {
                    var r = it["return"], s;
                    if (r != null && Object(s = r.call(it)) !== s)
                        throw new TypeError("Iterator result " + s + " is not an object");
                }
            }
            if (thrown) throw error;
        }
    };
}
