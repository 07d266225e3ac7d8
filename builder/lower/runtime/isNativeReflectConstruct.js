function _isNativeReflectConstruct() {
    if (_isNativeReflectConstruct.known === void 0) {
        _isNativeReflectConstruct.known = false;
        if (typeof Reflect !== "undefined" && Reflect.construct) {
            try {
                Reflect.construct(Boolean, [], function () {});
                _isNativeReflectConstruct.known = true;
            } catch (e) {}
        }
    }
    return _isNativeReflectConstruct.known;
}
