test("returns the first match or undefined", function () {
    eq([1, 2, 3, 4].find(function (v) { return v > 2; }), 3);
    eq([1].find(function () { return false; }), undefined);
});
test("visits holes with index, array and this", function () {
    var seen = [], self = {};
    [, "b"].find(function (v, i, a) {
        ok(this === self, "this");
        seen.push([v, i, a.length]);
    }, self);
    eq(seen, [[undefined, 0, 2], ["b", 1, 2]]);
});
test("a non-function throws", function () {
    throws(function () {
        [].find(1);
    }, TypeError);
});
