function _superPropBase(object, key) {
    if (object == null) throw new TypeError("Cannot read super property of " + object);
    while (object != null && !Object.prototype.hasOwnProperty.call(object, key))
        object = _getPrototypeOf(object);
    return object;
}
