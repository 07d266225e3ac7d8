test("Symbol() values are distinct, even with one description", function () {
    var a = Symbol("x"), b = Symbol("x");
    ok(a !== b, "a !== b");
    var o = {};
    o[a] = 1;
    o[b] = 2;
    eq(o[a], 1, "o[a]");
    eq(o[b], 2, "o[b]");
});
test("description", function () {
    eq(Symbol("d").description, "d");
    eq(Symbol().description, undefined);
    eq(Symbol(1).description, "1");
});
test("new Symbol throws a TypeError", function () {
    throws(function () {
        return new Symbol();
    }, TypeError);
});
test("symbol-keyed properties are not enumerated by for-in, keys or JSON", function () {
    var s = Symbol("hidden"), o = { a: 1 }, k, seen = [];
    o[s] = 2;
    for (k in o) seen.push(k);
    eq(seen, ["a"], "for-in");
    eq(Object.keys(o), ["a"], "keys");
    eq(Object.getOwnPropertyNames(o), ["a"], "getOwnPropertyNames");
    eq(JSON.stringify(o), '{"a":1}', "JSON");
    ok(o.hasOwnProperty(s), "hasOwnProperty");
});
test("getOwnPropertySymbols lists own symbol keys", function () {
    var s = Symbol("s"), o = {};
    o[s] = 1;
    var l = Object.getOwnPropertySymbols(o);
    eq(l.length, 1, "count");
    ok(l[0] === s, "the symbol");
});
test("well-known symbols exist and are distinct", function () {
    ok(Symbol.iterator && Symbol.asyncIterator && Symbol.toStringTag, "defined");
    ok(Symbol.iterator !== Symbol.asyncIterator, "iterator !== asyncIterator");
    eq(Symbol.iterator.description, "Symbol.iterator");
    eq(Symbol.asyncIterator.description, "Symbol.asyncIterator");
});
test("Symbol.for shares one symbol per key; keyFor finds the key", function () {
    ok(Symbol["for"]("app") === Symbol["for"]("app"), "same");
    ok(Symbol["for"]("app") !== Symbol("app"), "registered differs from new");
    eq(Symbol.keyFor(Symbol["for"]("app")), "app");
    eq(Symbol.keyFor(Symbol("app")), undefined);
    eq(Symbol.keyFor(Symbol["for"]("toString")), "toString", "a key Object.prototype has");
    throws(function () {
        Symbol.keyFor("app");
    }, TypeError);
});
test("Symbol.toStringTag names an object for Object.prototype.toString", function () {
    var o = {};
    o[Symbol.toStringTag] = "Thing";
    eq(Object.prototype.toString.call(o), "[object Thing]");
    eq(Object.prototype.toString.call([]), "[object Array]");
    eq(Object.prototype.toString.call(null), "[object Null]");
});
test("an object with Symbol.iterator is iterable by hand", function () {
    var o = {};
    o[Symbol.iterator] = function () {
        var i = 0;
        return {
            next: function () {
                return i < 2 ? { value: i++, done: false } : { value: undefined, done: true };
            }
        };
    };
    eq(drain(o[Symbol.iterator]()), [0, 1]);
    eq(({})[Symbol.iterator], undefined, "a plain object has none");
});
