function _toArray(x) {
    return Array.isArray(x) ? x : _iterableToArray(x) || _unsupportedIterableToArray(x);
}
