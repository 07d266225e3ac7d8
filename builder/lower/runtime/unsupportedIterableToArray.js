function _unsupportedIterableToArray(x, n) {
    if (typeof x === "string") {
        var r = x.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g) || [];
        return n === void 0 ? r : r.slice(0, n);
    }
    if (Object.prototype.toString.call(x) === "[object Arguments]") return _arrayLikeToArray(x, n);
    throw new TypeError("Invalid attempt to iterate a non-iterable " + (x === null ? "null" : typeof x));
}
