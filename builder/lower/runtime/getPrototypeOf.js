function _getPrototypeOf(o) {
    return Object.getPrototypeOf(o);
}
