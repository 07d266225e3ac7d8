// Per-iteration bindings captured by closures: for let, for-in let, lets in
// while/do-while bodies, nested loops, a body that changes the loop variable.
function show(fns) { return fns.map(function (f) { return f(); }).join(","); }
var fns = [];
for (let i = 0; i < 3; i++) fns.push(() => i);
console.log("for let", show(fns));
fns = [];
for (let i = 0, j = 10; i < 3; i++, j--) fns.push(() => i + ":" + j);
console.log("two heads", show(fns));
fns = [];
for (let i = 0; i < 8; i++) { if (i % 2) i++; fns.push(() => i); }
console.log("copy back", show(fns));
fns = [];
for (let k in { a: 1, b: 2, c: 3 }) fns.push(() => k);
console.log("for-in let", show(fns));
fns = [];
var n = 0;
while (n < 3) { let v = n * 10; fns.push(() => v); n++; }
console.log("while let", show(fns));
fns = [];
n = 0;
do { const w = "w" + n; fns.push(() => w); } while (++n < 2);
console.log("do-while const", show(fns));
fns = [];
for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) fns.push(() => a * 10 + b);
console.log("nested", show(fns));
fns = [];
for (let i = 0; i < 3; i++) { let fresh; if (i === 0) fresh = "set"; fns.push(() => String(fresh)); }
console.log("fresh let", show(fns));
fns = [];
for (let i = 0; i < 3; i++) { var last = i; fns.push(() => i * last); }
console.log("var in body", last, show(fns));
fns = [];
for (let i = 0; i < 3; i++) { [1].forEach(() => { i += 1; }); fns.push(() => i); }
console.log("closure writes", show(fns));
var plain = 0;
for (let i = 0; i < 4; i++) plain += i;
console.log("no closure", plain, typeof i);
fns = [];
var seen = [];
for (let i = 0, peek = () => i; i < 3; i++) { seen.push(peek()); fns.push(() => i); }
console.log("init closure", seen.join(","), show(fns));
