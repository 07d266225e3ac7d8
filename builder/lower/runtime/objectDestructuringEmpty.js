function _objectDestructuringEmpty(x) {
    if (x == null) throw new TypeError("Cannot destructure " + x);
    return x;
}
