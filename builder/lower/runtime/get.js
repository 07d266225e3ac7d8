function _get(target, key, receiver) {
    var base = _superPropBase(target, key);
    if (!base) return void 0;
    var desc = Object.getOwnPropertyDescriptor(base, key);
    return desc.get ? desc.get.call(receiver) : desc.value;
}
