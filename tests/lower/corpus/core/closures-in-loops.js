// Per-iteration bindings of let/const in for, for-in and for-of, captured by closures.
const fs = [];
for (let i = 0; i < 3; i++) fs.push(() => i);
console.log(fs.map((f) => f()).join(","));
const gs = [];
for (let i = 0; i < 3; i++) { gs.push(() => i); i += 0; }
console.log(gs.map((f) => f()).join(","));
// A closure in the initialiser sees the binding from before the first
// iteration's copy: bumping it does not move the loop.
const hs = [];
let bumps = 0;
for (let i = 0, inc = () => ++i; i < 3; i++) {
  hs.push(() => i);
  if (bumps++ < 2) console.log("init closure sees", inc());
}
console.log(hs.map((f) => f()).join(","));
const ks = [];
for (const k in { a: 1, b: 2 }) ks.push(() => k);
console.log(ks.map((f) => f()).join(","));
const vs = [];
for (const v of ["x", "y"]) vs.push(() => v);
console.log(vs.map((f) => f()).join(","));
const ws = [];
let j = 0;
while (j < 3) { let c = j; ws.push(() => c); j++; }
console.log(ws.map((f) => f()).join(","));
// var is one binding for the whole function.
var old = [];
for (var q = 0; q < 3; q++) old.push(() => q);
console.log(old.map((f) => f()).join(","));
// Closures that mutate the per-iteration binding.
const ms = [];
for (let i = 0; i < 3; i++) { ms.push(() => ++i); }
console.log(ms.map((f) => f()).join(","));
