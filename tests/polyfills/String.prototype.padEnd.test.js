test("pads with spaces, or a filler repeated and cut", function () {
    eq("5".padEnd(3), "5  ");
    eq("5".padEnd(3, "0"), "500");
    eq("abc".padEnd(10, "123456789012"), "abc1234567", "a long filler is cut");
    eq("abc".padEnd(8, "xy"), "abcxyxyx");
});
test("no padding when long enough, for an empty filler, or a negative length", function () {
    eq("abc".padEnd(2, "x"), "abc");
    eq("abc".padEnd(6, ""), "abc");
    eq("abc".padEnd(-1), "abc");
    eq("abc".padEnd(NaN), "abc");
    eq("abc".padEnd(5.9, "-"), "abc--", "length truncated");
});
