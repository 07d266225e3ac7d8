function _isNativeFunction(fn) {
    try {
        return Function.prototype.toString.call(fn).indexOf("[native code]") !== -1;
    } catch (e) {
        return false;
    }
}
