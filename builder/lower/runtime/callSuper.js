function _callSuper(self, Derived, args) {
    var Base = _getPrototypeOf(Derived), result;
    if (_isNativeReflectConstruct()) {
        result = Reflect.construct(Base, args, _getPrototypeOf(self).constructor);
    } else if (_isNativeFunction(Base)) {
        result = _construct(Base, args);
        _setPrototypeOf(result, _getPrototypeOf(self));
    } else {
        result = Base.apply(self, args);
    }
    return _possibleConstructorReturn(self, result);
}
