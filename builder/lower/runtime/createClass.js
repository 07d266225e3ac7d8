function _createClass(Constructor, protoProps, staticProps) {
    var lists = [protoProps, staticProps], targets = [Constructor.prototype, Constructor];
    for (var j = 0; j < 2; j++) {
        for (var i = 0; lists[j] && i < lists[j].length; i++) {
            var p = lists[j][i], d = { enumerable: false, configurable: true };
            if ("value" in p) {
                d.value = p.value;
                d.writable = true;
            } else {
                if (p.get) d.get = p.get;
                if (p.set) d.set = p.set;
            }
            Object.defineProperty(targets[j], p.key, d);
        }
    }
    Object.defineProperty(Constructor, "prototype", { writable: false });
    return Constructor;
}
