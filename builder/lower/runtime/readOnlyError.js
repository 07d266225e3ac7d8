function _readOnlyError(name) {
    throw new TypeError("Assignment to constant variable '" + name + "'");
}
