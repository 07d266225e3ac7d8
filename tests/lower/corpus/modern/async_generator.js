// Async generators: awaits, yields of promises, request queueing,
// return() and throw(), yield*, finally, this and arguments.
var log = [];
async function* counter(n, step = 1) {
    log.push("start " + n + " " + arguments.length + " " + (this && this.tag));
    try {
        for (var i = 0; i < n; i += step) {
            var v = await Promise.resolve(i);
            var sent = yield v;
            if (sent) log.push("sent " + sent);
        }
        return "done";
    } finally {
        log.push("finally");
    }
}
async function collect(it) {
    var out = [];
    for (var r = await it.next(); !r.done; r = await it.next()) out.push(r.value);
    return out;
}
async function main() {
    console.log(counter.length, counter.name, typeof counter.prototype);
    // Runs synchronously up to the first await on the first next().
    var g = counter.call({ tag: "T" }, 3);
    console.log(log.splice(0).join("|"));
    var p = g.next();
    console.log(log.splice(0).join("|"));
    console.log(JSON.stringify(await p));
    console.log(JSON.stringify(await g.next("x")), log.splice(0).join("|"));
    console.log(JSON.stringify(await g.next()), JSON.stringify(await g.next()), log.splice(0).join("|"));
    console.log(JSON.stringify(await g.next()), log.splice(0).join("|"));
    // Requests queue: three next() calls before any settles.
    var q = counter(3);
    var all = await Promise.all([q.next(), q.next(), q.next(), q.next(), q.next()]);
    console.log(JSON.stringify(all), log.splice(0).join("|"));
    // return() while suspended at a yield runs finally; the value is awaited.
    var r = counter(5);
    await r.next();
    console.log(JSON.stringify(await r.return(Promise.resolve("early"))), log.splice(0).join("|"));
    console.log(JSON.stringify(await r.next()));
    // return() and throw() before the start complete the generator.
    var s = counter(5);
    console.log(JSON.stringify(await s.return("before start")), log.splice(0).join("|"));
    var t = counter(5);
    try {
        await t.throw(new Error("thrown before start"));
    } catch (e) {
        console.log("rejected:", e.message, JSON.stringify(await t.next()));
    }
    // throw() at a yield is catchable inside.
    async function* catcher() {
        while (true) {
            try {
                yield "waiting";
            } catch (e) {
                yield "caught " + e;
            }
        }
    }
    var c = catcher();
    await c.next();
    console.log(JSON.stringify(await c.throw("E1")), JSON.stringify(await c.next()));
    // A rejected await throws at the await; a rejected yielded promise at the yield.
    async function* rejections() {
        try {
            await Promise.reject("await rejected");
        } catch (e) {
            yield "caught " + e;
        }
        try {
            yield Promise.reject("yield rejected");
        } catch (e) {
            yield "caught " + e;
        }
        return Promise.resolve("returned promise");
    }
    console.log(JSON.stringify(await collect(rejections())));
    var rj = rejections();
    for (var k = 0; k < 3; k++) console.log(JSON.stringify(await rj.next()));
    // yield* delegates to async and sync iterables; its value is the inner return.
    async function* inner() {
        var got = yield "inner 1";
        log.push("inner got " + got);
        yield "inner 2";
        return "inner result";
    }
    async function* outer() {
        var result = yield* inner();
        log.push("result " + result);
        yield* [Promise.resolve("sync 1"), "sync 2"];
        yield* { [Symbol.iterator]: function* () { yield "gen"; } };
    }
    var o = outer();
    console.log(JSON.stringify(await o.next()), JSON.stringify(await o.next("hello")));
    console.log(JSON.stringify(await collect(o)), log.splice(0).join("|"));
    // return() forwarded through yield* to the inner generator's finally.
    async function* guarded() {
        try {
            yield 1;
            yield 2;
        } finally {
            log.push("guarded finally");
        }
    }
    async function* wrapper() {
        try {
            yield* guarded();
        } finally {
            log.push("wrapper finally");
        }
    }
    var w = wrapper();
    await w.next();
    console.log(JSON.stringify(await w.return("stop")), log.splice(0).join("|"));
    // throw() forwarded through yield*.
    async function* innerCatch() {
        try {
            yield "a";
        } catch (e) {
            yield "inner caught " + e;
        }
    }
    async function* outerCatch() { yield* innerCatch(); }
    var oc = outerCatch();
    await oc.next();
    console.log(JSON.stringify(await oc.throw("X")));
    // Methods, in classes and objects, with super.
    class Base {
        greet(x) { return "base " + x + " " + this.name; }
    }
    class Derived extends Base {
        constructor() { super(); this.name = "d"; }
        async *items(n) {
            for (var i = 0; i < n; i++) yield super.greet(i) + " " + super["greet"].length;
        }
        static async *stat() { yield this === Derived; }
    }
    console.log(JSON.stringify(await collect(new Derived().items(2))), JSON.stringify(await collect(Derived.stat())));
    var obj = {
        base: 10,
        async *gen(a, ...rest) {
            yield this.base + a + rest.length;
            yield (() => arguments.length)();
        }
    };
    console.log(JSON.stringify(await collect(obj.gen(1, 2, 3))));
    // An async generator expression with a name.
    var named = async function* fact(n) {
        yield n;
        if (n > 1) yield* fact(n - 1);
    };
    console.log(JSON.stringify(await collect(named(3))), named.name);
    // The result is an async iterator.
    var it = counter(1);
    console.log(it[Symbol.asyncIterator]() === it, typeof it.next, typeof it.return, typeof it.throw);
    await collect(it);
    log.length = 0;
    // Errors thrown in the body reject the request and complete the generator.
    async function* failing() {
        yield 1;
        throw new Error("body error");
    }
    var fl = failing();
    await fl.next();
    try {
        await fl.next();
    } catch (e) {
        console.log(e.message, JSON.stringify(await fl.next()));
    }
}
main().then(function () { console.log("end"); }, function (e) { console.log("failed", e); });
