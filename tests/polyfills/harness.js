// The checks' harness (ES5), loaded before each NAME.test.js by run.py:
// test(name, fn) registers a check, fn(done) an asynchronous one; the
// assertions throw. After the file, __run() prints one line per check.
var __tests = [];
function test(name, fn) {
    __tests.push([name, fn]);
}
function __show(v) {
    if (typeof v == "number" && v === 0 && 1 / v < 0) return "-0";
    if (typeof v == "string") return JSON.stringify(v);
    if (v instanceof Array) {
        var a = [];
        for (var i = 0; i < v.length; i++) a.push(i in v ? __show(v[i]) : "<hole>");
        return "[" + a.join(", ") + "]";
    }
    try {
        return String(v);
    } catch (e) {
        return "<" + typeof v + ">";
    }
}
// SameValue, and for arrays and plain objects the same keys and values.
function __same(a, b) {
    if (a === b) return a !== 0 || 1 / a === 1 / b;
    if (a !== a && b !== b) return true;
    if (!a || !b || typeof a != "object" || typeof b != "object") return false;
    if ((a instanceof Array) != (b instanceof Array)) return false;
    var ka = Object.keys(a), kb = Object.keys(b), i;
    if (ka.length != kb.length || (a instanceof Array && a.length != b.length)) return false;
    for (i = 0; i < ka.length; i++) if (!(ka[i] in b) || !__same(a[ka[i]], b[ka[i]])) return false;
    return true;
}
function eq(got, want, what) {
    if (!__same(got, want)) throw new Error((what || "value") + ": got " + __show(got) + ", want " + __show(want));
}
function ok(cond, what) {
    if (!cond) throw new Error((what || "condition") + " is false");
}
function throws(fn, type, what) {
    try {
        fn();
    } catch (e) {
        if (type && !(e instanceof type)) throw new Error((what || "call") + " threw " + e + ", want a " + type.name);
        return;
    }
    throw new Error((what || "call") + " did not throw");
}
// Collects an iterator's values.
function drain(it) {
    for (var r = [], s; !(s = it.next()).done; ) r.push(s.value);
    return r;
}
function __run() {
    var i = 0, out = typeof print == "function" ? print : console.log;
    for (var j = 0; j < __tests.length; j++) out("PLAN\t" + __tests[j][0]);
    function next() {
        if (i >= __tests.length) return;
        var t = __tests[i++], fin = false;
        function done(err, failed) {
            if (fin) return;
            fin = true;
            if (failed || err) out("FAIL\t" + t[0] + "\t" + JSON.stringify(String((err && err.stack) || err)));
            else out("PASS\t" + t[0]);
            next();
        }
        try {
            if (t[1].length) t[1](done);
            else {
                t[1]();
                done();
            }
        } catch (e) {
            done(e, true);
        }
    }
    next();
}
