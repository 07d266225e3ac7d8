// Promise (ES2021: then, catch, finally, resolve, reject, all, race,
// allSettled, any). Reactions run as microtasks where the platform has a
// way (MutationObserver, setImmediate), else on setTimeout 0.
(function () {
    "use strict";
    if (typeof Promise == "function" && Promise.prototype["finally"]) return;
    var G = typeof self == "object" ? self : Function("return this")(), q = [], busy = 0, tick, N = G.Promise;
    if (typeof N == "function" && !N.prototype["finally"]) {
        // A native Promise without finally (Chrome 61, Safari 11): add it.
        def(N.prototype, "finally", fin);
        return;
    }
    function def(o, k, v) {
        Object.defineProperty(o, k, { configurable: true, writable: true, value: v });
    }
    // Reactions wait in q; one drain runs them all, those they add too.
    function drain() {
        for (var i = 0; i < q.length; i++) q[i]();
        q = [];
        busy = 0;
    }
    if (typeof queueMicrotask == "function") {
        tick = function () {
            queueMicrotask(drain);
        };
    } else if (typeof MutationObserver == "function") {
        var t = document.createTextNode(""), f = 0;
        new MutationObserver(drain).observe(t, { characterData: true });
        tick = function () {
            t.data = f = !f;
        };
    } else {
        tick = function () {
            (typeof setImmediate == "function" ? setImmediate : setTimeout)(drain, 0);
        };
    }
    function later(fn) {
        q.push(fn);
        if (!busy) {
            busy = 1;
            tick();
        }
    }
    function P(ex) {
        if (!(this instanceof P)) throw new TypeError("Promise must be called with new");
        if (typeof ex != "function") throw new TypeError("Promise resolver is not a function");
        this.s = 0; // 0 pending, 1 fulfilled, 2 rejected
        this.r = [];
        var f = once(this);
        try {
            ex(f[0], f[1]);
        } catch (e) {
            f[1](e);
        }
    }
    // The resolve and reject functions of p: only the first call counts.
    function once(p) {
        var done = 0;
        return [
            function (v) {
                if (!done++) resolve(p, v);
            },
            function (e) {
                if (!done++) settle(p, 2, e);
            }
        ];
    }
    function resolve(p, v) {
        if (v === p) return settle(p, 2, new TypeError("A promise cannot resolve to itself"));
        if (v !== null && (typeof v == "object" || typeof v == "function")) {
            var then;
            try {
                then = v.then;
            } catch (e) {
                return settle(p, 2, e);
            }
            if (typeof then == "function") {
                var f = once(p);
                return later(function () {
                    try {
                        then.call(v, f[0], f[1]);
                    } catch (e) {
                        f[1](e);
                    }
                });
            }
        }
        settle(p, 1, v);
    }
    function settle(p, s, v) {
        p.s = s;
        p.v = v;
        for (var i = 0; i < p.r.length; i++) react(p, p.r[i]);
        p.r = null;
    }
    function react(p, r) {
        later(function () {
            var h = p.s == 1 ? r[0] : r[1], v = p.v;
            if (typeof h != "function") return (p.s == 1 ? r[2] : r[3])(v);
            try {
                v = h(v);
            } catch (e) {
                return r[3](e);
            }
            r[2](v);
        });
    }
    def(P.prototype, "then", function (ok, bad) {
        var r, C = this.constructor, np = new (typeof C == "function" && C !== P && C.prototype instanceof P ? C : P)(function (a, b) {
            r = [ok, bad, a, b];
        });
        if (this.s) react(this, r);
        else this.r.push(r);
        return np;
    });
    def(P.prototype, "catch", function (bad) {
        return this.then(undefined, bad);
    });
    function fin(f) {
        if (typeof f != "function") return this.then(f, f);
        var C = this.constructor;
        return this.then(
            function (v) {
                return C.resolve(f()).then(function () {
                    return v;
                });
            },
            function (e) {
                return C.resolve(f()).then(function () {
                    throw e;
                });
            }
        );
    }
    def(P.prototype, "finally", fin);
    def(P, "resolve", function (v) {
        if (v instanceof P && v.constructor === this) return v;
        var C = this;
        return new C(function (a) {
            a(v);
        });
    });
    def(P, "reject", function (e) {
        var C = this;
        return new C(function (a, b) {
            b(e);
        });
    });
    // Calls fn(value, index) for each value of an iterable or array-like.
    function each(x, fn) {
        var S = typeof Symbol == "function" && Symbol.iterator, it = S && x != null && x[S], i = 0, s;
        if (typeof it == "function") for (it = it.call(x); !(s = it.next()).done; ) fn(s.value, i++);
        else if (x == null) throw new TypeError(x + " is not iterable");
        else for (; i < x.length; i++) fn(x[i], i);
        return i;
    }
    // all, allSettled, any: each value's outcome may fill its slot (ok and
    // bad call fill(i, v), or settle the whole with res or rej); when all
    // slots are filled, the result settles with end(slots), fulfilled if won.
    function gather(C, x, ok, bad, won, end) {
        return new C(function (res, rej) {
            var out = [], left = 1;
            function fill(i, v) {
                out[i] = v;
                if (!--left) (won ? res : rej)(end(out));
            }
            try {
                left += each(x, function (v, i) {
                    out[i] = undefined;
                    C.resolve(v).then(
                        function (v) {
                            ok(fill, i, v, res);
                        },
                        function (e) {
                            bad(fill, i, e, rej);
                        }
                    );
                });
            } catch (e) {
                return rej(e);
            }
            if (!--left) (won ? res : rej)(end(out));
        });
    }
    function id(a) {
        return a;
    }
    function fill(f, i, v) {
        f(i, v);
    }
    def(P, "all", function (x) {
        return gather(this, x, fill, function (f, i, e, rej) {
            rej(e);
        }, 1, id);
    });
    def(P, "allSettled", function (x) {
        return gather(this, x, function (f, i, v) {
            f(i, { status: "fulfilled", value: v });
        }, function (f, i, e) {
            f(i, { status: "rejected", reason: e });
        }, 1, id);
    });
    def(P, "any", function (x) {
        return gather(this, x, function (f, i, v, res) {
            res(v);
        }, fill, 0, function (errs) {
            var e = new Error("All promises were rejected");
            e.name = "AggregateError";
            e.errors = errs;
            return e;
        });
    });
    def(P, "race", function (x) {
        var C = this;
        return new C(function (res, rej) {
            each(x, function (v) {
                C.resolve(v).then(res, rej);
            });
        });
    });
    if (typeof Symbol == "function" && Symbol.toStringTag) def(P.prototype, Symbol.toStringTag, "Promise");
    G.Promise = P;
})();
