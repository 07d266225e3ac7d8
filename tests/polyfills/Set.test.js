test("add, has, delete, size; values are unique", function () {
    var s = new Set();
    ok(s.add(1) === s, "add returns the set");
    s.add(1).add("1");
    eq(s.size, 2);
    ok(s.has(1) && s.has("1") && !s.has(2), "has");
    ok(s["delete"](1) && !s["delete"](1), "delete");
    eq(s.size, 1);
});
test("NaN once, -0 as 0", function () {
    var s = new Set([NaN, NaN, 0, -0]);
    eq(s.size, 2);
    ok(s.has(NaN) && s.has(-0), "has");
    eq(drain(s.values()), [NaN, 0]);
});
test("insertion order; keys and @@iterator are values; entries are pairs", function () {
    var s = new Set(["b", "a", "b"]);
    eq(drain(s.values()), ["b", "a"]);
    eq(drain(s.keys()), ["b", "a"]);
    eq(drain(s[Symbol.iterator]()), ["b", "a"]);
    eq(drain(s.entries()), [["b", "b"], ["a", "a"]]);
    ok(Set.prototype.keys === Set.prototype.values, "keys is values");
});
test("deleting while iterating", function () {
    var s = new Set([1, 2, 3, 4]), seen = [];
    s.forEach(function (v) {
        seen.push(v);
        s["delete"](v + 1);
    });
    eq(seen, [1, 3]);
    eq(drain(s.values()), [1, 3]);
});
test("deleting the current value and adding it again visits it again", function () {
    var s = new Set([1, 2]), it = s.values(), seen = [it.next().value];
    s["delete"](1);
    s.add(1);
    for (var r; !(r = it.next()).done; ) seen.push(r.value);
    eq(seen, [1, 2, 1]);
});
test("forEach passes value, value, set", function () {
    var s = new Set(["x"]);
    s.forEach(function (a, b, set) {
        eq([a, b], ["x", "x"]);
        ok(set === s, "set");
    });
});
test("clear; Set needs new; toString tag", function () {
    var s = new Set([1, 2]);
    s.clear();
    eq(s.size, 0);
    throws(function () {
        Set();
    }, TypeError);
    eq(Object.prototype.toString.call(s), "[object Set]");
});
test("new Set takes strings and other sets", function () {
    eq(new Set("abca").size, 3);
    eq(drain(new Set(new Set([2, 1])).values()), [2, 1]);
});
