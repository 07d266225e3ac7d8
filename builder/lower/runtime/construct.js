function _construct(C, args) {
    var a = [null];
    a.push.apply(a, args);
    return new (Function.prototype.bind.apply(C, a))();
}
