function _asyncFromSyncIterator(it) {
    // CreateAsyncFromSyncIterator: a sync iterator seen as an async one, each
    // result's value awaited.
    var next = it.next, r;
    function settle(result) {
        if (Object(result) !== result) throw new TypeError(result + " is not an object");
        var done = result.done;
        return Promise.resolve(result.value).then(function (v) {
            return { value: v, done: done };
        });
    }
    function call(method, arg, missing) {
        return new Promise(function (resolve) {
            var m = method ? it[method] : next;
            resolve(m == null ? missing(arg) : settle(m.call(it, arg)));
        });
    }
    r = {
        next: function (v) { return call(null, v); },
        "return": function (v) {
            return call("return", v, function (x) { return { value: x, done: true }; });
        },
        "throw": function (e) {
            return call("throw", e, function (x) { throw x; });
        }
    };
    r[typeof Symbol === "function" && Symbol.asyncIterator || "@@asyncIterator"] = function () {
        return this;
    };
    return r;
}
