function _setPrototypeOf(o, p) {
    if (Object.setPrototypeOf) return Object.setPrototypeOf(o, p);
    o.__proto__ = p;
    return o;
}
