// A private member as a destructuring or for-in/of target: ref.value = v
// writes it.
function _privateRef(obj, store, setter) {
    return {
        set value(v) {
            _privateSet(obj, store, v, setter);
        }
    };
}
