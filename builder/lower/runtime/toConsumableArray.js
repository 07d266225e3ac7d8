function _toConsumableArray(x) {
    return Array.isArray(x) ? _arrayLikeToArray(x) : _iterableToArray(x) || _unsupportedIterableToArray(x);
}
