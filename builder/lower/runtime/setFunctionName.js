function _setFunctionName(f, name) {
    try {
        Object.defineProperty(f, "name", { value: "" + name, configurable: true });
    } catch (e) {}
    return f;
}
