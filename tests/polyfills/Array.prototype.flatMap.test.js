test("maps, then flattens one level", function () {
    eq([1, 2].flatMap(function (v) { return [v, [v * 10]]; }), [1, [10], 2, [20]]);
    eq(["a"].flatMap(function (v, i, a) { return v + i + a.length; }), ["a01"]);
});
test("this, holes skipped, a non-function throws", function () {
    var self = { k: 2 };
    eq([1, , 3].flatMap(function (v) { return [v * this.k]; }, self), [2, 6]);
    throws(function () {
        [].flatMap();
    }, TypeError);
});
