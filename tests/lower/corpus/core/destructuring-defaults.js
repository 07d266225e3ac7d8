// Defaults are evaluated lazily, left to right, only for undefined.
let calls = 0;
const d = (v) => { calls++; return v; };
const { a = d(1), b = d(2) } = { a: 0 };
console.log(a, b, calls);
const [x = d("x"), y = x + "!"] = [undefined];
console.log(x, y, calls);
const [n = d("n")] = [null];
console.log(n, calls);
function f({ p = 1, q: { r = p + 1 } = {} } = {}, ...rest) { return [p, r, rest.length].join(" "); }
console.log(f(), f({ p: 5 }), f({ q: { r: 9 } }, 1, 2));
const { length, ...others } = "hey";
console.log(length, JSON.stringify(others));
let m, k;
({ m, k = "kd" } = { m: "M" });
console.log(m, k);
const [, , third = "t", ...tail] = [1, 2, undefined, 4, 5];
console.log(third, tail.join(","));
const { [`comp${1}`]: c1 = "c" } = {};
console.log(c1);
for (const [i, { v = i * 10 }] of [[1, {}], [2, { v: 7 }]]) console.log(i, v);
try { const { z } = null; } catch (e) { console.log(e instanceof TypeError); }
function order() { const log = []; const { [(log.push("key1"), "a")]: aa = log.push("def1"), [(log.push("key2"), "b")]: bb = log.push("def2") } = { b: 1 }; return log.join(","); }
console.log(order());
