test("integral numbers only, without conversion", function () {
    ok(Number.isInteger(5) && Number.isInteger(-0) && Number.isInteger(1e300), "integers");
    ok(!Number.isInteger(5.5) && !Number.isInteger(Infinity) && !Number.isInteger(NaN), "others");
    ok(!Number.isInteger("5"), "no conversion");
});
