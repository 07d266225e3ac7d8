function _taggedTemplateLiteral(strings, raw) {
    var r = Object.freeze(raw || strings.slice(0));
    return Object.freeze(Object.defineProperty(strings, "raw", { value: r }));
}
