// Adds a private field (with its value) or a class's private methods (the
// brand, without one) to obj, once.
function _privateAdd(obj, store, value) {
    if (store.has(obj))
        throw new TypeError("Cannot initialize private members twice on the same object");
    if (arguments.length > 2)
        store.set(obj, value);
    else
        store.add(obj);
}
