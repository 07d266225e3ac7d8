test("pads with spaces, or a filler repeated and cut", function () {
    eq("5".padStart(3), "  5");
    eq("5".padStart(3, "0"), "005");
    eq("abc".padStart(10, "123456789012"), "1234567abc", "a long filler is cut");
    eq("abc".padStart(8, "xy"), "xyxyxabc");
});
test("no padding when long enough, for an empty filler, or a negative length", function () {
    eq("abc".padStart(2, "x"), "abc");
    eq("abc".padStart(6, ""), "abc");
    eq("abc".padStart(-1), "abc");
    eq("abc".padStart(NaN), "abc");
    eq("abc".padStart(5.9, "-"), "--abc", "length truncated");
});
