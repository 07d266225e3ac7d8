test("own enumerable string-keyed pairs in key order", function () {
    var o = Object.create({ inherited: 1 });
    o.b = 1;
    o.a = 2;
    o[2] = 3;
    o[1] = 4;
    Object.defineProperty(o, "hidden", { value: 5 });
    eq(Object.entries(o), [["1", 4], ["2", 3], ["b", 1], ["a", 2]]);
});
test("strings and arrays", function () {
    eq(Object.entries("ab"), [["0", "a"], ["1", "b"]]);
    eq(Object.entries([7]), [["0", 7]]);
    throws(function () {
        Object.entries(null);
    }, TypeError);
});
test("a getter that deletes a later key leaves it out", function () {
    var o = {};
    Object.defineProperty(o, "a", { enumerable: true, get: function () { delete o.b; return 1; } });
    o.b = 2;
    eq(Object.entries(o), [["a", 1]]);
});
