function _defineAccessor(kind, obj, key, fn) {
    var d = { enumerable: true, configurable: true };
    d[kind] = fn;
    Object.defineProperty(obj, key, d);
    return obj;
}
