// for await: over async iterables and sync iterables of promises, with
// break, return, throw and continue calling (or not calling) return().
var log = [];
function source(n, name) {
    var i = 0;
    return {
        [Symbol.asyncIterator]: function () {
            log.push(name + " open");
            return {
                next: function () {
                    i++;
                    return Promise.resolve({ value: name + i, done: i > n });
                },
                return: function () {
                    log.push(name + " return");
                    return Promise.resolve({ done: true });
                }
            };
        }
    };
}
async function main() {
    for await (const v of source(2, "a")) log.push(v);
    console.log(log.splice(0).join("|"));
    for await (const v of [Promise.resolve(1), 2, Promise.resolve(3)]) log.push(v);
    console.log(log.splice(0).join("|"));
    for await (const v of source(5, "b")) {
        if (v === "b2") break;
        log.push(v);
    }
    console.log(log.splice(0).join("|"));
    async function find() {
        for await (const v of source(5, "c")) if (v === "c3") return v;
    }
    console.log(await find(), log.splice(0).join("|"));
    try {
        for await (const v of source(5, "d")) throw new Error("thrown at " + v);
    } catch (e) {
        console.log(e.message, log.splice(0).join("|"));
    }
    outer: for (var i = 0; i < 2; i++) {
        label2: for await (var v of source(3, "e" + i)) {
            if (v.endsWith("1")) continue label2;
            if (v.endsWith("2")) continue outer;
            log.push(v);
        }
    }
    console.log(log.splice(0).join("|"), v);
    // The loop variable is per iteration.
    var fns = [];
    for await (let x of [1, 2, 3]) fns.push(function () { return x; });
    console.log(fns.map(function (f) { return f(); }));
    // Assignment targets and patterns in the head.
    var target = {};
    for await (target.p of ["p1", "p2"]);
    for await (const [k, val] of new Map([["m", 1]])) log.push(k + val);
    for await ({ a: target.a } of [{ a: "A" }]);
    console.log(target.p, target.a, log.splice(0).join("|"));
    // A rejected value from a sync iterable throws in the loop.
    try {
        for await (const x of [1, Promise.reject(new Error("rejected item"))]) log.push(x);
    } catch (e) {
        console.log(e.message, log.splice(0).join("|"));
    }
    // Errors from next() do not call return().
    var broken = {
        [Symbol.asyncIterator]: function () {
            return {
                next: function () { return Promise.reject(new Error("next failed")); },
                return: function () { log.push("should not return"); return Promise.resolve({}); }
            };
        }
    };
    try {
        for await (const x of broken);
    } catch (e) {
        console.log(e.message, log.splice(0).join("|"));
    }
    // Not iterable.
    try {
        for await (const x of 5);
    } catch (e) {
        console.log("not iterable:", e instanceof TypeError);
    }
    // Inside an async generator, and nested loops.
    async function* pairs() {
        for await (const a of source(2, "x"))
            for await (const b of [a + "-1", a + "-2"]) yield b;
    }
    var got = [];
    for await (const p of pairs()) {
        got.push(p);
        if (got.length === 3) break;
    }
    console.log(got, log.splice(0).join("|"));
    // this and arguments inside the loop body of an async method.
    var holder = {
        n: 2,
        async run() {
            var seen = [];
            for await (const v of [1]) seen.push(this.n, arguments[0], (() => this.n)());
            return seen;
        }
    };
    console.log(await holder.run("arg"));
    // Object rest in the head; async generator methods with computed names,
    // static ones delegating to a sync iterable, and `this` of an expression.
    var out = [];
    for await (const { a, ...r } of [{ a: 1, b: 2 }, Promise.resolve({ a: 3, c: 4 })]) out.push(a, JSON.stringify(r));
    var gen = { async *["it" + "x"]() { yield 1; } };
    for await (const v of gen["itx"]()) out.push(v);
    class K { static async *s() { yield* [1, Promise.resolve(2)]; } }
    for await (const v of K.s()) out.push(v);
    var f = async function* () { yield this; };
    for await (const v of f.call("t")) out.push(typeof v);
    console.log(out.join(" "));
}
main().then(function () { console.log("end"); }, function (e) { console.log("failed", e); });
