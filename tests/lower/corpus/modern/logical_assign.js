// Logical assignment: assigns only when the operator does not short-circuit,
// evaluates the target's object and key once, and has the operator's value.
var log = [];
function counted(name, value) {
    log.push(name);
    return value;
}
var store = { _v: 0 };
Object.defineProperty(store, "v", {
    get: function () { log.push("get"); return this._v; },
    set: function (x) { log.push("set " + x); this._v = x; }
});

var a = 0, b = 1, c = null;
console.log(a ||= counted("rhs a", 5), a);
console.log(b ||= counted("rhs b", 6), b);
console.log(a &&= counted("rhs a&&", 0), a);
console.log(c ??= counted("rhs c", "set"), c);
console.log(c ??= counted("rhs c again", "no"), c);
console.log(log.join(", "));

log = [];
console.log(store.v ||= 3, store.v &&= 4, store.v ??= 5, store._v);
console.log(log.join(", "));

log = [];
var objs = { o: { n: 0, s: "", f: false, z: null, u: undefined } };
for (var k of ["n", "s", "f", "z", "u"]) {
    counted("obj", objs).o[counted("key " + k, k)] ??= k.toUpperCase();
}
console.log(JSON.stringify(objs.o), log.join(", "));

log = [];
var arr = [0, 1];
counted("arr", arr)[counted("i", 0)] ||= 9;
counted("arr", arr)[counted("i", 1)] ||= 9;
console.log(arr, log.join(", "));

// Names: an anonymous function assigned through ||= is named for its target.
var fn;
fn ||= function () {};
var arrow;
arrow ??= () => 1;
console.log(fn.name, arrow.name);

// Nested, and inside expressions.
var x = null, y = 0;
var z = (x ??= (y ||= 2) + 1) * 2;
console.log(x, y, z);

// const targets that short-circuit do not throw.
const fixed = 1;
console.log(fixed ||= 2);
try {
    const zero = 0;
    zero ||= 1;
} catch (e) {
    console.log(e instanceof TypeError);
}

class Base {
    get p() { return this._p; }
    set p(v) { this._p = v; }
}
class Derived extends Base {
    run() {
        super.p ||= "from super";
        return this._p;
    }
}
console.log(new Derived().run());
