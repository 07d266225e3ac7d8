test("at the start, or at a position", function () {
    ok("abc".startsWith("ab"), "ab");
    ok(!"abc".startsWith("bc"), "bc");
    ok("abc".startsWith("bc", 1), "bc at 1");
    ok("abc".startsWith("ab", -1), "negative is 0");
    ok(!"abc".startsWith("a", Infinity), "Infinity");
    ok("abc".startsWith("", 3), "empty at the end");
    ok(!"ab".startsWith("abc"), "longer");
});
test("a RegExp argument throws", function () {
    throws(function () {
        "a".startsWith(/a/);
    }, TypeError);
});
