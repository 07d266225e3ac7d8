test("at the end, or before a position", function () {
    ok("abc".endsWith("bc"), "bc");
    ok(!"abc".endsWith("ab"), "ab");
    ok("abc".endsWith("ab", 2), "ab before 2");
    ok("abc".endsWith("abc", 99), "past the end");
    ok(!"abc".endsWith("a", -1), "negative");
    ok("abc".endsWith("", 0), "empty at 0");
    ok(!"bc".endsWith("abc"), "longer");
});
test("a RegExp argument throws", function () {
    throws(function () {
        "a".endsWith(/a/);
    }, TypeError);
});
