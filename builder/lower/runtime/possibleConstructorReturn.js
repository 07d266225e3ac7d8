function _possibleConstructorReturn(self, result) {
    if (result && (typeof result === "object" || typeof result === "function")) return result;
    if (result !== void 0)
        throw new TypeError("Derived constructors may only return object or undefined");
    return _assertThisInitialized(self);
}
