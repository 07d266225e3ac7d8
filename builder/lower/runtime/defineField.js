// A class field defined on obj as [[Define]] does (not by assignment, so
// an inherited setter is not called): enumerable, configurable, writable.
function _defineField(obj, key, value) {
    Object.defineProperty(obj, key, {
        value: value,
        enumerable: true,
        configurable: true,
        writable: true
    });
}
