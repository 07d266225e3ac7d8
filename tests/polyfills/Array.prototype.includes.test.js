test("finds NaN; -0 and 0 are the same", function () {
    ok([1, NaN].includes(NaN), "NaN");
    ok([-0].includes(0) && [0].includes(-0), "-0");
    ok(![1, 2].includes("1"), "no conversion");
});
test("fromIndex, negative and out of range", function () {
    ok(![1, 2, 3].includes(1, 1), "from 1");
    ok([1, 2, 3].includes(3, -1), "from -1");
    ok([1, 2, 3].includes(1, -10), "from -10");
    ok(![1, 2, 3].includes(3, 10), "past the end");
    ok([1, 2, 3].includes(1, -Infinity), "-Infinity");
    ok(![1].includes(1, Infinity), "Infinity");
});
test("holes read as undefined; array-likes", function () {
    ok([, 1].includes(undefined), "hole");
    ok(Array.prototype.includes.call({ length: 2, 1: "x" }, "x"), "array-like");
    ok(!Array.prototype.includes.call({ 0: "x" }, "x"), "no length");
});
test("not enumerable on arrays", function () {
    for (var k in [1]) ok(k === "0", "only index keys, not " + k);
});
