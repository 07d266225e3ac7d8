test("own enumerable string-keyed values in key order", function () {
    var o = Object.create({ inherited: 1 });
    o.b = 1;
    o.a = 2;
    o[0] = 3;
    Object.defineProperty(o, "hidden", { value: 5 });
    eq(Object.values(o), [3, 1, 2]);
});
test("strings; null throws", function () {
    eq(Object.values("ab"), ["a", "b"]);
    throws(function () {
        Object.values(undefined);
    }, TypeError);
});
