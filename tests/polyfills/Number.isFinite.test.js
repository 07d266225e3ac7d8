test("finite numbers only, without conversion", function () {
    ok(Number.isFinite(0) && Number.isFinite(-1e308), "finite");
    ok(!Number.isFinite(Infinity) && !Number.isFinite(NaN), "infinite, NaN");
    ok(!Number.isFinite("1") && !Number.isFinite(null), "no conversion");
});
