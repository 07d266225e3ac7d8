test("then callbacks run after the current code, before setTimeout 0", function (done) {
    var log = [];
    setTimeout(function () {
        log.push("timeout");
        eq(log, ["sync", "then1", "then2", "timeout"]);
        done();
    }, 0);
    Promise.resolve().then(function () {
        log.push("then1");
    }).then(function () {
        log.push("then2");
    });
    log.push("sync");
});
test("reactions run in registration order", function (done) {
    var log = [], p = Promise.resolve(1);
    p.then(function () { log.push("a"); });
    p.then(function () { log.push("b"); });
    Promise.reject(2)["catch"](function () { log.push("c"); });
    setTimeout(function () {
        eq(log, ["a", "b", "c"]);
        done();
    }, 0);
});
test("the executor runs synchronously; only the first resolve counts", function (done) {
    var ran = false;
    new Promise(function (res, rej) {
        ran = true;
        res(1);
        res(2);
        rej(3);
    }).then(function (v) {
        eq(v, 1);
        done();
    }, done);
    ok(ran, "executor ran");
});
test("an executor that throws rejects", function (done) {
    new Promise(function () {
        throw new Error("boom");
    })["catch"](function (e) {
        eq(e.message, "boom");
        done();
    });
});
test("resolving with a thenable adopts its state, one tick later", function (done) {
    var thenable = {
        then: function (ok) {
            ok(42);
        }
    };
    Promise.resolve(thenable).then(function (v) {
        eq(v, 42);
        return {
            then: function (ok, bad) {
                bad("no");
                ok("ignored");
            }
        };
    }).then(null, function (e) {
        eq(e, "no");
        done();
    });
});
test("a then getter that throws rejects", function (done) {
    var bad = {};
    Object.defineProperty(bad, "then", {
        get: function () {
            throw "getter";
        }
    });
    Promise.resolve(1).then(function () {
        return bad;
    })["catch"](function (e) {
        eq(e, "getter");
        done();
    });
});
test("resolving a promise with itself rejects with a TypeError", function (done) {
    var p = Promise.resolve().then(function () {
        return p;
    });
    p["catch"](function (e) {
        ok(e instanceof TypeError, "TypeError");
        done();
    });
});
test("values and errors pass through then without handlers", function (done) {
    Promise.resolve(5).then().then(null).then(function (v) {
        eq(v, 5);
        return Promise.reject(6).then(function () {});
    })["catch"](function (e) {
        eq(e, 6);
        done();
    });
});
test("finally keeps the value or reason, and waits for its promise", function (done) {
    var log = [];
    Promise.resolve(1)["finally"](function () {
        log.push("f1");
        return 99;
    }).then(function (v) {
        eq(v, 1, "value kept");
        return Promise.reject(2)["finally"](function () {
            log.push("f2");
        });
    })["catch"](function (e) {
        eq(e, 2, "reason kept");
        return Promise.resolve(3)["finally"](function () {
            throw 4;
        });
    })["catch"](function (e) {
        eq(e, 4, "finally's throw wins");
        eq(log, ["f1", "f2"]);
        done();
    });
});
test("Promise.resolve returns a promise as it is", function () {
    var p = Promise.resolve(1);
    ok(Promise.resolve(p) === p);
});
test("Promise.all keeps order and fails on the first rejection", function (done) {
    Promise.all([3, Promise.resolve(1), new Promise(function (r) { setTimeout(function () { r(2); }, 5); })]).then(function (v) {
        eq(v, [3, 1, 2]);
        return Promise.all([Promise.reject("x"), new Promise(function () {})]);
    })["catch"](function (e) {
        eq(e, "x");
        return Promise.all([]);
    }).then(function (v) {
        eq(v, [], "empty");
        done();
    });
});
test("Promise.all rejects a non-iterable", function (done) {
    Promise.all(undefined)["catch"](function (e) {
        ok(e instanceof TypeError, "TypeError");
        done();
    });
});
test("Promise.race settles as the first to settle", function (done) {
    Promise.race([new Promise(function (r) { setTimeout(function () { r("slow"); }, 20); }), new Promise(function (r) { setTimeout(function () { r("fast"); }, 1); })]).then(function (v) {
        eq(v, "fast");
        done();
    });
});
test("Promise.allSettled reports each outcome", function (done) {
    Promise.allSettled([1, Promise.reject("e")]).then(function (v) {
        eq(v, [{ status: "fulfilled", value: 1 }, { status: "rejected", reason: "e" }]);
        return Promise.allSettled([]);
    }).then(function (v) {
        eq(v, []);
        done();
    });
});
test("Promise.any takes the first fulfilment, or an AggregateError", function (done) {
    Promise.any([Promise.reject(1), Promise.resolve(2)]).then(function (v) {
        eq(v, 2);
        return Promise.any([Promise.reject(1), Promise.reject(3)]);
    })["catch"](function (e) {
        eq(e.name, "AggregateError");
        eq(e.errors, [1, 3]);
        return Promise.any([]);
    })["catch"](function (e) {
        eq(e.errors, [], "empty");
        done();
    });
});
test("Promise.all takes iterables when Symbol.iterator exists", function (done) {
    if (typeof Symbol != "function") return done();
    var it = {};
    it[Symbol.iterator] = function () {
        var i = 0;
        return {
            next: function () {
                return i < 2 ? { value: ++i, done: false } : { done: true };
            }
        };
    };
    Promise.all(it).then(function (v) {
        eq(v, [1, 2]);
        done();
    });
});
test("Promise needs new and a function", function () {
    throws(function () {
        Promise(function () {});
    }, TypeError);
    throws(function () {
        return new Promise(1);
    }, TypeError);
});
