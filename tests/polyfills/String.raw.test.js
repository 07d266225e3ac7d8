test("joins the raw strings with the substitutions", function () {
    eq(String.raw({ raw: ["a", "b", "c"] }, 1, 2), "a1b2c");
    eq(String.raw({ raw: ["a\\n", "b"] }, "x"), "a\\nxb");
    eq(String.raw({ raw: ["a", "b", "c"] }, 1), "a1bc", "missing substitutions are empty");
    eq(String.raw({ raw: ["a"] }, 1, 2), "a", "extra substitutions are ignored");
    eq(String.raw({ raw: "xyz" }, "-", "-"), "x-y-z", "an array-like raw");
    eq(String.raw({ raw: [] }), "");
});
test("throws without raw", function () {
    throws(function () { String.raw({}); }, TypeError);
    throws(function () { String.raw(null); }, TypeError);
});
