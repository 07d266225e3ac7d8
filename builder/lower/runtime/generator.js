// The generator object of a function the generator pass compiled to a state
// machine (docs/internals/lowering/generators.md). body(ctx) runs from case
// ctx.n: it returns a value to yield, or ctx itself when the runtime has
// work to do (a return or a jump that runs finally blocks, a yield*, the
// end). tries lists the try statements as [try, catch, finally, after] case
// numbers (0: no such part), outer ones first; ctx.p is the case running.
function _generator(body, self, tries) {
    var P = _generator.p || (_generator.p = (function () {
        var ITER = typeof Symbol === "function" && Symbol.iterator || "@@iterator";
        var START = 0, SUSPENDED = 1, RUNNING = 2, DONE = 3;
        var RETURN = 0, JUMP = 1, THROW = 2;
        // Leaves the try statements around ctx.p for a return (arg: the
        // value) or a jump (arg: the case): the innermost finally block on
        // the way runs first, with the completion saved for ctx.f.
        function leave(ctx, kind, arg) {
            for (var t = ctx.t, p = ctx.p, i = t.length, e; i--;) {
                e = t[i];
                if (p < e[0] || p >= e[3]) continue;
                if (kind === JUMP && arg >= e[0] && arg < e[3]) break;
                if (e[2]) {
                    if (p < e[2]) {
                        ctx.c[i] = [kind, arg];
                        ctx.n = e[2];
                        return ctx;
                    }
                    ctx.c[i] = undefined; // leaving the finally block itself
                }
            }
            if (kind === JUMP) {
                ctx.n = arg;
            } else {
                ctx.done = true;
                ctx.v = arg;
            }
            return ctx;
        }
        // Routes an exception thrown at ctx.p to the innermost catch or
        // finally block around it; false when none.
        function caught(ctx, err) {
            for (var t = ctx.t, p = ctx.p, i = t.length, e; i--;) {
                e = t[i];
                if (p < e[0] || p >= e[3]) continue;
                if (e[1] && p < e[1]) {
                    ctx.n = e[1];
                    ctx.e = err;
                    return true;
                }
                if (e[2]) {
                    if (p < e[2]) {
                        ctx.c[i] = [THROW, err];
                        ctx.n = e[2];
                        return true;
                    }
                    ctx.c[i] = undefined;
                }
            }
            ctx.done = true;
            return false;
        }
        function closeIterator(it) {
            var f = it["return"], r;
            if (f != null) {
                r = f.call(it);
                if (Object(r) !== r) throw new TypeError("iterator result is not an object");
            }
        }
        function listIterator(o) {
            var i = 0, s = typeof o === "string";
            return {
                next: function () {
                    if (i >= o.length) return { value: undefined, done: true };
                    var v = o[i++], w = o[i];
                    if (s && v >= "\ud800" && v <= "\udbff" && w >= "\udc00" && w <= "\udfff") v += o[i++];
                    return { value: v, done: false };
                }
            };
        }
        function isList(o) {
            var k = Object.prototype.toString.call(o);
            return typeof o === "string" || k === "[object Array]" || k === "[object Arguments]";
        }
        // One step of yield*: forwards method and arg to the inner iterator.
        // Returns its result while it is not done; else undefined, with
        // ctx.m and ctx.a what the generator itself does next.
        function delegate(ctx, d, method, arg) {
            var it = d[0], f, r;
            ctx.dl = undefined;
            ctx.m = method;
            ctx.a = arg;
            try {
                if (method === "next") {
                    r = d[1].call(it, arg);
                } else {
                    f = it[method];
                    if (f == null) {
                        if (method === "throw") {
                            closeIterator(it);
                            throw new TypeError("The iterator does not provide a 'throw' method");
                        }
                        return; // return: the generator returns arg
                    }
                    r = f.call(it, arg);
                }
                if (Object(r) !== r) throw new TypeError("iterator result is not an object");
            } catch (e) {
                ctx.m = "throw";
                ctx.a = e;
                return;
            }
            if (!r.done) {
                ctx.dl = d;
                return r;
            }
            ctx.a = r.value;
            if (method !== "return") ctx.m = "next";
        }
        // Runs the machine: applies method and arg, then steps the body
        // until it yields or finishes.
        function run(ctx, method, arg) {
            for (;;) {
                if (ctx.dl) {
                    var r = delegate(ctx, ctx.dl, method, arg);
                    if (r) return r;
                    method = ctx.m;
                    arg = ctx.a;
                }
                if (method === "throw") {
                    if (!caught(ctx, arg)) throw arg;
                } else if (method === "return") {
                    leave(ctx, RETURN, arg);
                } else {
                    ctx.sent = arg;
                }
                for (;;) {
                    if (ctx.done) return { value: ctx.v, done: true };
                    try {
                        r = ctx.b.call(ctx.o, ctx);
                    } catch (e) {
                        if (!caught(ctx, e)) throw e;
                        continue;
                    }
                    if (r !== ctx) return { value: r, done: false };
                    if (ctx.dl) break;
                }
                method = "next";
                arg = undefined;
            }
        }
        function resume(gen, method, arg) {
            var ctx = gen && gen["@ctx"];
            if (!ctx) throw new TypeError(method + " called on a non-generator");
            if (ctx.s === RUNNING) throw new TypeError("Generator is already running");
            if (ctx.s === DONE || (ctx.s === START && method !== "next")) {
                ctx.s = DONE;
                if (method === "throw") throw arg;
                return { value: method === "return" ? arg : undefined, done: true };
            }
            ctx.s = RUNNING;
            try {
                var r = run(ctx, method, arg);
            } catch (e) {
                ctx.s = DONE;
                throw e;
            }
            ctx.s = ctx.done ? DONE : SUSPENDED;
            return r;
        }
        var C = {
            // return v (through the finally blocks around it)
            r: function (v) {
                return leave(this, RETURN, v);
            },
            // break or continue to case l through finally blocks
            j: function (l) {
                return leave(this, JUMP, l);
            },
            // the end of the finally block at case l: what brought control
            // there goes on
            f: function (l) {
                for (var t = this.t, i = t.length, c; i--;) {
                    if (t[i][2] !== l) continue;
                    c = this.c[i];
                    this.c[i] = undefined;
                    if (!c) {
                        this.n = t[i][3];
                        return this;
                    }
                    if (c[0] === THROW) throw c[1];
                    return leave(this, c[0], c[1]);
                }
            },
            // yield* o, then case l with the inner iterator's return value
            d: function (o, l) {
                var m = o == null ? undefined : o[ITER], it;
                if (typeof m === "function") it = m.call(o);
                else if (o != null && isList(o)) it = listIterator(o);
                else throw new TypeError(o + " is not iterable");
                if (Object(it) !== it) throw new TypeError("Result of the Symbol.iterator method is not an object");
                this.dl = [it, it.next];
                this.n = l;
                return this;
            },
            // for-in's keys, taken now: a function giving the next key that
            // is still there, or undefined
            k: function (o) {
                var keys = [], i = 0, k;
                for (k in o) keys.push(k);
                o = Object(o);
                return function () {
                    while (i < keys.length) if ((k = keys[i++]) in o) return k;
                };
            }
        };
        var G = {
            next: function (v) {
                return resume(this, "next", v);
            },
            "throw": function (e) {
                return resume(this, "throw", e);
            },
            "return": function (v) {
                return resume(this, "return", v);
            }
        };
        G[ITER] = function () {
            return this;
        };
        if (typeof Symbol === "function" && Symbol.toStringTag) G[Symbol.toStringTag] = "Generator";
        return [C, G];
    })());
    var ctx = Object.create(P[0]), gen = Object.create(P[1]);
    ctx.b = body;
    ctx.o = self;
    ctx.t = tries || [];
    ctx.c = [];
    ctx.n = ctx.p = ctx.s = 0;
    ctx.done = false;
    Object.defineProperty(gen, "@ctx", { value: ctx });
    return gen;
}
