function _wrapAsyncGenerator(fn, self, args) {
    // An async generator object running the generator fn.apply(self, args):
    // next, throw and return queue a request and return its promise; one
    // request runs at a time. The generator yields _awaitAsyncGenerator
    // markers where the source awaited, and plain values where it yielded
    // (awaited before they are delivered, as an async generator's yield does).
    var gen = fn.apply(self, args), queue = [], state = "start", running = false, it;
    function settle(ok, value, done) {
        var req = queue.shift();
        running = false;
        if (ok) req.resolve({ value: value, done: done });
        else req.reject(value);
        drain();
    }
    function finish(ok, value) {
        state = "done";
        settle(ok, value, true);
    }
    function step(method, arg) {
        var r, v;
        try {
            r = gen[method](arg);
        } catch (e) {
            return finish(false, e);
        }
        v = r.value;
        if (r.done) return finish(true, v);
        if (v instanceof _awaitAsyncGenerator && v.kind === 1) {
            state = "yield";
            return settle(true, v.value, false);
        }
        if (v instanceof _awaitAsyncGenerator) {
            Promise.resolve(v.value).then(function (x) {
                step(v.kind === 2 ? "return" : "next", x);
            }, function (e) {
                step("throw", e);
            });
            return;
        }
        Promise.resolve(v).then(function (x) {
            state = "yield";
            settle(true, x, false);
        }, function (e) {
            step("throw", e);
        });
    }
    function drain() {
        if (running || !queue.length) return;
        running = true;
        var req = queue[0];
        if (state === "start" && req.method !== "next") state = "done";
        if (state === "done" && req.method === "return") {
            Promise.resolve(req.arg).then(function (x) {
                settle(true, x, true);
            }, function (e) {
                settle(false, e);
            });
        } else if (state === "done") {
            settle(req.method === "next", req.method === "throw" ? req.arg : undefined, true);
        } else if (req.method === "return") {
            Promise.resolve(req.arg).then(function (x) {
                step("return", x);
            }, function (e) {
                step("throw", e);
            });
        } else {
            step(req.method, req.arg);
        }
    }
    function send(method, arg) {
        return new Promise(function (resolve, reject) {
            queue.push({ method: method, arg: arg, resolve: resolve, reject: reject });
            drain();
        });
    }
    it = {
        next: function (v) { return send("next", v); },
        "throw": function (e) { return send("throw", e); },
        "return": function (v) { return send("return", v); }
    };
    it[typeof Symbol === "function" && Symbol.asyncIterator || "@@asyncIterator"] = function () {
        return this;
    };
    return it;
}
