function _objectDefine(target, literal) {
    // The properties of an object literal written after a spread, defined on
    // target as they are (accessors stay accessors); `__proto__: p` in the
    // literal sets target's prototype.
    var proto = Object.getPrototypeOf(literal), keys = Object.getOwnPropertyNames(literal), i;
    if (proto !== Object.prototype) {
        if (Object.setPrototypeOf) Object.setPrototypeOf(target, proto);
        else target.__proto__ = proto;
    }
    if (typeof Object.getOwnPropertySymbols === "function")
        keys = keys.concat(Object.getOwnPropertySymbols(literal));
    for (i = 0; i < keys.length; i++)
        Object.defineProperty(target, keys[i], Object.getOwnPropertyDescriptor(literal, keys[i]));
    return target;
}
