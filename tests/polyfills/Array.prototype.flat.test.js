test("one level by default; a depth; Infinity", function () {
    eq([1, [2, [3, [4]]]].flat(), [1, 2, [3, [4]]]);
    eq([1, [2, [3, [4]]]].flat(2), [1, 2, 3, [4]]);
    eq([1, [2, [3, [4]]]].flat(Infinity), [1, 2, 3, 4]);
    eq([[1]].flat(0), [[1]]);
    eq([[1]].flat(-1), [[1]]);
});
test("holes are removed", function () {
    eq([1, , [2, , 3]].flat(), [1, 2, 3]);
});
test("only arrays are flattened", function () {
    eq([{ length: 1, 0: "x" }, "ab"].flat().length, 2);
});
