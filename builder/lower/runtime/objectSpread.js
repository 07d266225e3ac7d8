function _objectSpread(target, source, excluded) {
    // {...source}: defines on target each own enumerable property of source
    // (string keys, then symbols), reading each once; null and undefined
    // copy nothing. excluded: keys to leave out (object rest).
    if (source == null) return target;
    var from = Object(source), keys = Object.getOwnPropertyNames(from), skip = [], i, key;
    if (typeof Object.getOwnPropertySymbols === "function")
        keys = keys.concat(Object.getOwnPropertySymbols(from));
    for (i = 0; excluded && i < excluded.length; i++)
        skip.push(typeof excluded[i] === "number" ? String(excluded[i]) : excluded[i]);
    for (i = 0; i < keys.length; i++) {
        key = keys[i];
        if (skip.indexOf(key) >= 0 || !Object.prototype.propertyIsEnumerable.call(from, key))
            continue;
        Object.defineProperty(target, key, {
            value: from[key], writable: true, enumerable: true, configurable: true
        });
    }
    return target;
}
