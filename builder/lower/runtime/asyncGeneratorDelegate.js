function _asyncGeneratorDelegate(inner) {
    // The sync iterator a lowered async generator's yield* runs over, for the
    // async iterator inner: each request yields inner's promise as an
    // _awaitAsyncGenerator marker; _wrapAsyncGenerator sends the outcome back
    // (waiting), and an unfinished result is yielded on as it is (kind 1).
    var waiting = false, it;
    function call(method, arg) {
        waiting = true;
        var p = new Promise(function (resolve) { resolve(inner[method](arg)); });
        return { value: _awaitAsyncGenerator(p, method === "return" ? 2 : 0), done: false };
    }
    function received(r) {
        waiting = false;
        if (Object(r) !== r) throw new TypeError(r + " is not an object");
        if (r.done) return { value: r.value, done: true };
        return { value: _awaitAsyncGenerator(r.value, 1), done: false };
    }
    it = {
        next: function (v) { return waiting ? received(v) : call("next", v); },
        "throw": function (e) {
            if (waiting) {
                waiting = false;
                throw e;
            }
            if (inner["throw"] != null) return call("throw", e);
            waiting = true;
            var closed = new Promise(function (resolve) {
                resolve(inner["return"] != null && inner["return"]());
            }).then(function () {
                throw new TypeError("The iterator does not provide a 'throw' method");
            });
            return { value: _awaitAsyncGenerator(closed, 0), done: false };
        },
        "return": function (v) {
            if (waiting) return received(v);
            if (inner["return"] == null) return { value: v, done: true };
            return call("return", v);
        }
    };
    it[typeof Symbol === "function" && Symbol.iterator || "@@iterator"] = function () {
        return this;
    };
    return it;
}
