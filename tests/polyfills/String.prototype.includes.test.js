test("finds substrings, from a position", function () {
    ok("abc".includes("b"), "b");
    ok("abc".includes(""), "empty");
    ok(!"abc".includes("a", 1), "from 1");
    ok("abc".includes("c", -5), "negative position");
    ok("a1".includes(1), "converts to string");
});
test("a RegExp argument throws; null this throws", function () {
    throws(function () {
        "a".includes(/a/);
    }, TypeError);
    throws(function () {
        String.prototype.includes.call(null, "a");
    }, TypeError);
});
