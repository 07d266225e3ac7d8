test("only the number NaN", function () {
    ok(Number.isNaN(NaN) && Number.isNaN(0 / 0), "NaN");
    ok(!Number.isNaN("NaN") && !Number.isNaN(undefined) && !Number.isNaN({}), "no conversion");
    ok(!Number.isNaN(1), "1");
});
