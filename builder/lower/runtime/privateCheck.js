// The brand check of every private member access: store is the member's
// WeakMap (fields) or its class's WeakSet (methods and accessors).
function _privateCheck(obj, store) {
    if (!store.has(obj))
        throw new TypeError("Cannot access a private member on an object whose class did not declare it");
}
