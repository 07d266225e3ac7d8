test("set, get, has, delete, size", function () {
    var m = new Map(), o = {};
    ok(m.set("a", 1) === m, "set returns the map");
    m.set(o, 2);
    eq(m.get("a"), 1);
    eq(m.get(o), 2);
    eq(m.get({}), undefined, "another object");
    ok(m.has(o) && !m.has("b"), "has");
    eq(m.size, 2);
    ok(m["delete"]("a") && !m["delete"]("a"), "delete");
    eq(m.size, 1);
});
test("keys are SameValueZero: NaN finds NaN, -0 is 0", function () {
    var m = new Map();
    m.set(NaN, "nan");
    eq(m.get(NaN), "nan");
    m.set(-0, "zero");
    eq(m.get(0), "zero");
    eq(drain(m.keys())[1], 0, "-0 is stored as +0");
    ok(1 / drain(m.keys())[1] > 0, "+0");
});
test("keys of different types do not collide", function () {
    var m = new Map([[1, "n"], ["1", "s"], [true, "b"], ["true", "st"], [null, "l"], [undefined, "u"], ["undefined", "su"]]);
    eq(m.size, 7);
    eq([m.get(1), m.get("1"), m.get(true), m.get("true"), m.get(null), m.get(undefined), m.get("undefined")], ["n", "s", "b", "st", "l", "u", "su"]);
});
test("native symbols are keys, distinct from strings", function () {
    if (typeof Symbol != "function" || typeof Symbol() != "symbol") return;
    var a = Symbol("k"), b = Symbol("k"), m = new Map([[a, 1], ["", 2], ["Symbol(k)", 3]]);
    m.set(b, 4);
    eq([m.get(a), m.get(b), m.get(""), m.get("Symbol(k)"), m.size], [1, 4, 2, 3, 4]);
    ok(m["delete"](a) && !m.has(a) && m.has(b), "delete");
});
test("frozen objects are keys too", function () {
    var f = Object.freeze({}), g = Object.freeze({}), m = new Map();
    m.set(f, 1).set(g, 2);
    eq([m.get(f), m.get(g), m.size], [1, 2, 2]);
    ok(m["delete"](f) && !m.has(f), "delete");
});
test("iteration follows insertion order; setting again keeps the place", function () {
    var m = new Map([["b", 1], ["a", 2]]);
    m.set("c", 3);
    m.set("b", 4);
    eq(drain(m.entries()), [["b", 4], ["a", 2], ["c", 3]]);
    eq(drain(m.values()), [4, 2, 3]);
    eq(drain(m[Symbol.iterator]()), [["b", 4], ["a", 2], ["c", 3]]);
    ok(Map.prototype[Symbol.iterator] === Map.prototype.entries, "@@iterator is entries");
});
test("deleting while iterating skips the deleted and sees the added", function () {
    var m = new Map([[1, 1], [2, 2], [3, 3], [4, 4]]), it = m.keys(), seen = [];
    seen.push(it.next().value);
    m["delete"](1);
    m["delete"](2);
    m.set(5, 5);
    for (var s; !(s = it.next()).done; ) seen.push(s.value);
    eq(seen, [1, 3, 4, 5]);
});
test("clear while iterating ends the iterator, unless entries come again", function () {
    var m = new Map([[1, 1], [2, 2]]), it = m.keys();
    it.next();
    m.clear();
    eq(m.size, 0);
    m.set(9, 9);
    eq(drain(it), [9]);
});
test("forEach passes value, key, map and sees deletions", function () {
    var m = new Map([["a", 1], ["b", 2], ["c", 3]]), seen = [], self = {};
    m.forEach(function (v, k, map) {
        ok(map === m && this === self, "map and this");
        seen.push(k + v);
        if (k == "a") m["delete"]("b");
    }, self);
    eq(seen, ["a1", "c3"]);
});
test("new Map takes an iterable of pairs; Map needs new", function () {
    eq(new Map(new Map([[1, 2]])).get(1), 2);
    eq(new Map(null).size, 0);
    throws(function () {
        Map();
    }, TypeError);
});
test("a finished iterator stays done", function () {
    var m = new Map([[1, 1]]), it = m.keys();
    drain(it);
    m.set(2, 2);
    ok(it.next().done);
});
test("toString tag", function () {
    eq(Object.prototype.toString.call(new Map()), "[object Map]");
});
test("the key objects stay as they were for keys and JSON", function () {
    var o = { a: 1 }, m = new Map();
    m.set(o, 1);
    eq(Object.keys(o), ["a"]);
    eq(JSON.stringify(o), '{"a":1}');
});
