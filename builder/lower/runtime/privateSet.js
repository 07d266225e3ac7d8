// Writes a private field, or calls a private setter (setter null: a
// method or an accessor without one); returns value.
function _privateSet(obj, store, value, setter) {
    _privateCheck(obj, store);
    if (setter === null)
        throw new TypeError("Private member is not writable");
    if (setter)
        setter.call(obj, value);
    else
        store.set(obj, value);
    return value;
}
