function _objectWithoutProperties(source, excluded) {
    // The object rest of a pattern: source's own enumerable properties but
    // the excluded keys (strings, symbols, or numbers for numeric keys).
    if (source == null) throw new TypeError("Cannot destructure '" + source + "' as it is " + source + ".");
    return _objectSpread({}, source, excluded);
}
