test("makes an array of its arguments", function () {
    eq(Array.of(7), [7]);
    eq(Array.of(1, undefined, 3), [1, undefined, 3]);
    eq(Array.of(), []);
});
