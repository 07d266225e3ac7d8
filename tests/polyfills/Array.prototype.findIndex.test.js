test("returns the first matching index or -1", function () {
    eq([5, 6, 7].findIndex(function (v) { return v == 6; }), 1);
    eq([5].findIndex(function () { return false; }), -1);
    eq([, NaN].findIndex(function (v) { return v !== v; }), 1);
    eq([, 1].findIndex(function (v) { return v === undefined; }), 0, "holes are visited");
});
test("a non-function throws", function () {
    throws(function () {
        [].findIndex(null);
    }, TypeError);
});
