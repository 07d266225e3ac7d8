test("add, has, delete", function () {
    var s = new WeakSet(), a = {};
    ok(s.add(a) === s, "add returns the set");
    ok(s.has(a) && !s.has({}), "has");
    ok(s["delete"](a) && !s.has(a), "delete");
    ok(!s["delete"](a), "delete again");
});
test("primitive values: add throws, has says no", function () {
    var s = new WeakSet();
    throws(function () {
        s.add(1);
    }, TypeError);
    ok(!s.has(1), "has");
});
test("new WeakSet takes an array; needs new", function () {
    var a = {}, b = {};
    var s = new WeakSet([a, b]);
    ok(s.has(a) && s.has(b), "both");
    throws(function () {
        WeakSet();
    }, TypeError);
});
