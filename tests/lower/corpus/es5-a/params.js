// Default and rest parameters: lazy defaults, left to right, seeing earlier
// parameters; undefined (not null) triggers them; length; arguments.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var calls = 0;
function dflt() { calls++; return "d" + calls; }
function f(a, b = dflt(), c = a + "|" + b) { return [a, b, c]; }
log(f(1));
log(f(1, 2));
log(f(1, undefined, 3));
log(f(1, null));
log(calls);
log([f.length, function (a, ...r) {}.length, function (a = 1, b) {}.length, function (a, b, c = 1) {}.length]);
function rest(a, ...r) { return [a, r, arguments.length, Array.isArray(r)]; }
log(rest());
log(rest(1));
log(rest(1, 2, 3));
function onlyRest(...all) { return all; }
log(onlyRest("x", "y"));
function both(a, b = 2, ...more) { return [a, b, more]; }
log(both(1, undefined, 3, 4));
function withPattern({ x, y } = { x: 1, y: 2 }, [z] = [3]) { return [x, y, z]; }
log(withPattern());
log(withPattern({ x: 9 }, [8]));
function restPattern(...[first, second]) { return [first, second]; }
log(restPattern(5, 6, 7));
var obj = {
    v: "this-v",
    m(a = this.v) { return a; }
};
log(obj.m());
function order(a = log("a"), b = log("b")) { return "body"; }
log(order());
function usesArgs(a, b = 5) { return [arguments.length, arguments[0], a, b]; }
log(usesArgs(1));
log(usesArgs(1, 2, 3));
var fe = function named(n = 3) { return n > 0 ? named(n - 1) + 1 : 0; };
log(fe());
var seen = [];
var src = { get a() { seen.push("get a"); return 2; } };
function patternFirst({ a }, b = (seen.push("default b"), a * 2), ...r) { return [a, b, r]; }
log([patternFirst(src), patternFirst.length, seen]);
function arrayFirst([x, y], z = x + y) { return z; }
log([arrayFirst([1, 2]), arrayFirst.length]);
