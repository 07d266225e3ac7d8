function _set(target, key, value, receiver) {
    var base = _superPropBase(target, key);
    var desc = base ? Object.getOwnPropertyDescriptor(base, key) : void 0;
    if (desc && desc.set) {
        desc.set.call(receiver, value);
        return value;
    }
    var own = Object.getOwnPropertyDescriptor(receiver, key);
    if ((desc && (desc.get || !desc.writable)) || (own && (own.get || own.set || !own.writable)))
        throw new TypeError("Cannot assign to read only property '" + String(key) + "'");
    if (own) receiver[key] = value;
    else Object.defineProperty(receiver, key, {
        value: value,
        enumerable: true,
        configurable: true,
        writable: true
    });
    return value;
}
