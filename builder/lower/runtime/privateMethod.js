// A private method of obj, after the brand check.
function _privateMethod(obj, store, fn) {
    _privateCheck(obj, store);
    return fn;
}
