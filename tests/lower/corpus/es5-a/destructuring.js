// Destructuring in declarations, assignments, parameters, catch and for-in:
// lazy defaults, holes, rest, nesting, computed keys, evaluation order.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var calls = [];
function d(name) { calls.push(name); return name; }
var [a = d("a"), b = d("b"), c = d("c")] = [1, undefined, null];
log([a, b, c, calls]);
var { p = d("p"), q: { r = d("r") } = {}, s: t = d("t") } = { p: 0, s: false };
log([p, r, t, calls]);
var [, second, , fourth, ...others] = [1, 2, 3, 4, 5, 6];
log([second, fourth, others]);
var [x1, [y1, [z1]]] = [1, [2, [3]]];
log([x1, y1, z1]);
var { length } = "hello";
log(length);
var [first, ...chars] = "h\uD83D\uDE00i";
log([first, chars.length]);
var order = [];
function key(k) { order.push("key " + k); return k; }
var src = { get a() { order.push("get a"); return 1; }, get b() { order.push("get b"); return 2; } };
var { [key("a")]: ka, [key("b")]: kb } = src;
log([ka, kb, order]);
var m = 1, n = 2;
[m, n] = [n, m];
log([m, n]);
var obj = {};
var value = ({ a: obj.x, b: obj["y"] } = { a: "X", b: "Y" });
log([obj, value]);
var arrValue = [obj.first, obj.second = "dflt"] = ["F"];
log([obj, arrValue]);
try {
    var { boom } = null;
} catch (e) {
    log("null: " + (e instanceof TypeError));
}
try {
    var {} = undefined;
} catch (e) {
    log("empty: " + (e instanceof TypeError));
}
try {
    var [nope] = {};
} catch (e) {
    log("array of object: " + (e instanceof TypeError));
}
function params({ a, b: [c, d] }, [e, { f }]) { return [a, c, d, e, f]; }
log(params({ a: 1, b: [2, 3] }, [4, { f: 5 }]));
var keys = [];
for (var [k0, k1] in { ab: 1, cd: 2 }) keys.push(k1 + k0);
log(keys);
var each = [];
for (var { length: len } in { abc: 1 }) each.push(len);
log(each);
var i, j;
for ([i, j] = [0, 10]; i < 3; i++) j--;
log([i, j]);
var counter = 0;
function next() { counter++; return counter; }
var { u = next(), v = next() } = { u: "given" };
log([u, v, counter]);
var [w = next()] = [];
log([w, counter]);
var nested = { deep: [{ leaf: "L" }] };
var { deep: [{ leaf }] } = nested;
log(leaf);
var fnName = { fn: function () {} };
var { fn } = fnName;
log(typeof fn);
var self = { self: 1, other: 2 };
var { other, self: selfVal } = self;
log([other, selfVal]);
