test("repeats n times", function () {
    eq("ab".repeat(3), "ababab");
    eq("ab".repeat(0), "");
    eq("a".repeat(2.9), "aa", "count truncated");
    eq("".repeat(100), "");
    eq("x".repeat(17).length, 17);
});
test("a negative or infinite count throws a RangeError", function () {
    throws(function () {
        "a".repeat(-1);
    }, RangeError);
    throws(function () {
        "a".repeat(Infinity);
    }, RangeError);
});
