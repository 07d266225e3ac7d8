function _toPropertyKey(value) {
    // ToPropertyKey: a symbol stays, anything else becomes a string through
    // ToPrimitive with hint "string".
    var f, i, method, r;
    if (value !== null && (typeof value === "object" || typeof value === "function")) {
        f = typeof Symbol === "function" && Symbol.toPrimitive && value[Symbol.toPrimitive];
        if (f != null) {
            r = f.call(value, "string");
            if (r !== null && (typeof r === "object" || typeof r === "function"))
                throw new TypeError("Cannot convert object to primitive value");
            value = r;
        } else {
            for (i = 0, method = ["toString", "valueOf"]; i < 2; i++) {
                f = value[method[i]];
                r = typeof f === "function" ? f.call(value) : value;
                if (r === null || (typeof r !== "object" && typeof r !== "function")) break;
            }
            if (i === 2) throw new TypeError("Cannot convert object to primitive value");
            value = r;
        }
    }
    return typeof value === "symbol" ? value : String(value);
}
