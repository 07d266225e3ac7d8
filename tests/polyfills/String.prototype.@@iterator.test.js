test("iterates code points, surrogate pairs as one", function () {
    eq(drain("a\ud83d\ude00b"[Symbol.iterator]()), ["a", "\ud83d\ude00", "b"]);
});
test("lone surrogates come one by one", function () {
    eq(drain("\ud83dx\ude00"[Symbol.iterator]()), ["\ud83d", "x", "\ude00"]);
    eq(drain("\ude00\ud83d"[Symbol.iterator]()), ["\ude00", "\ud83d"]);
});
test("the empty string is done at once", function () {
    ok(""[Symbol.iterator]().next().done);
});
test("a String object iterates too", function () {
    eq(drain(String.prototype[Symbol.iterator].call(new String("ab"))), ["a", "b"]);
});
