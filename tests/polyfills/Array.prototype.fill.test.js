test("fills all, a range, negative and infinite bounds", function () {
    eq([1, 2, 3].fill(0), [0, 0, 0]);
    eq([1, 2, 3].fill(0, 1), [1, 0, 0]);
    eq([1, 2, 3].fill(0, -1), [1, 2, 0]);
    eq([1, 2, 3].fill(0, 0, -1), [0, 0, 3]);
    eq([1, 2, 3].fill(0, 0, Infinity), [0, 0, 0]);
    eq([1, 2, 3].fill(0, 2, 1), [1, 2, 3]);
    eq(new Array(2).fill(1), [1, 1]);
});
test("returns the array; array-likes", function () {
    var a = [1];
    ok(a.fill(2) === a, "same array");
    eq(Array.prototype.fill.call({ length: 2 }, "x"), { 0: "x", 1: "x", length: 2 });
});
