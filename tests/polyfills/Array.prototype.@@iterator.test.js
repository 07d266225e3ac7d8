test("values, keys and entries", function () {
    eq(drain(["a", "b"].values()), ["a", "b"]);
    eq(drain(["a", "b"].keys()), [0, 1]);
    eq(drain(["a", "b"].entries()), [[0, "a"], [1, "b"]]);
});
test("Symbol.iterator is values", function () {
    ok(Array.prototype[Symbol.iterator] === Array.prototype.values);
    eq(drain([1, 2][Symbol.iterator]()), [1, 2]);
});
test("holes read as undefined", function () {
    eq(drain([1, , 3].values()), [1, undefined, 3]);
});
test("the length is read at each step; done stays done", function () {
    var a = [1], it = a.values();
    eq(it.next().value, 1);
    a.push(2);
    eq(it.next().value, 2, "pushed while iterating");
    ok(it.next().done, "done");
    a.push(3);
    ok(it.next().done, "stays done");
});
test("the iterator is iterable and returns itself", function () {
    var it = [].values();
    ok(it[Symbol.iterator]() === it);
});
test("array-likes through call", function () {
    eq(drain(Array.prototype.values.call({ length: 2, 0: "x", 1: "y" })), ["x", "y"]);
});
test("the methods are not enumerable", function () {
    var k, seen = [];
    for (k in []) seen.push(k);
    eq(seen, []);
});
