test("set, get, has, delete with object keys", function () {
    var m = new WeakMap(), a = {}, b = function () {};
    ok(m.set(a, 1) === m, "set returns the map");
    m.set(b, 2);
    eq([m.get(a), m.get(b), m.get({})], [1, 2, undefined]);
    ok(m.has(a) && !m.has({}), "has");
    ok(m["delete"](a) && !m["delete"](a) && !m.has(a), "delete");
});
test("primitive keys: set throws, the others say no", function () {
    var m = new WeakMap();
    throws(function () {
        m.set("a", 1);
    }, TypeError);
    throws(function () {
        m.set(null, 1);
    }, TypeError);
    eq([m.get(1), m.has("a"), m["delete"](true)], [undefined, false, false]);
});
test("two maps keep their own values for one key", function () {
    var k = {}, m1 = new WeakMap([[k, 1]]), m2 = new WeakMap();
    m2.set(k, 2);
    eq([m1.get(k), m2.get(k)], [1, 2]);
});
test("frozen keys", function () {
    var k = Object.freeze({}), m = new WeakMap();
    m.set(k, 1);
    eq(m.get(k), 1);
    m.set(k, 2);
    eq(m.get(k), 2);
    ok(m["delete"](k) && !m.has(k), "delete");
});
test("the key does not show the entry to for-in, keys or JSON", function () {
    var k = { a: 1 }, m = new WeakMap(), seen = [];
    m.set(k, 1);
    for (var p in k) seen.push(p);
    eq(seen, ["a"]);
    eq(Object.keys(k), ["a"]);
    eq(JSON.stringify(k), '{"a":1}');
});
test("WeakMap needs new", function () {
    throws(function () {
        WeakMap();
    }, TypeError);
});
