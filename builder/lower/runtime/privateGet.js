// Reads a private field, or calls a private getter (getter null: the
// accessor has none).
function _privateGet(obj, store, getter) {
    _privateCheck(obj, store);
    if (getter === null)
        throw new TypeError("Private accessor was defined without a getter");
    return getter ? getter.call(obj) : store.get(obj);
}
