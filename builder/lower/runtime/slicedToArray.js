function _slicedToArray(x, n) {
    return Array.isArray(x) ? x : _iterableToArray(x, n) || _unsupportedIterableToArray(x, n);
}
