function _iterableToArray(x, n) {
    var m = typeof Symbol === "function" && x != null ? x[Symbol.iterator] : void 0;
    if (m == null) return;
    var it = m.call(x), next = it.next, r = [], s;
    if (Object(it) !== it) throw new TypeError("Result of the Symbol.iterator method is not an object");
    while (n === void 0 || r.length < n) {
        s = next.call(it);
        if (Object(s) !== s) throw new TypeError("Iterator result " + s + " is not an object");
        if (s.done) return r;
        r.push(s.value);
    }
    var ret = it["return"];
    if (ret != null && Object(s = ret.call(it)) !== s)
        throw new TypeError("Iterator result " + s + " is not an object");
    return r;
}
