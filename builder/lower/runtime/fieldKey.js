// ToPropertyKey for a computed field key, evaluated once with the class.
function _fieldKey(key) {
    return typeof key === "symbol" ? key : String(key);
}
