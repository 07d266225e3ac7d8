// super[key] for code moved out of a class body: the property found from
// home's prototype up, a getter called with receiver as `this`.
function _superGet(home, key, receiver) {
    for (var o = Object.getPrototypeOf(home); o; o = Object.getPrototypeOf(o)) {
        var d = Object.getOwnPropertyDescriptor(o, key);
        if (d)
            return d.get ? d.get.call(receiver) : d.value;
    }
    return void 0;
}
