// break, continue, return and labeled jumps out of loop bodies that became
// functions (their bindings are captured), with switch and inner loops.
var fns = [];
function run(limit) {
  var log = [];
  outer: for (let i = 0; i < 4; i++) {
    fns.push(() => i);
    inner: for (let j = 0; j < 4; j++) {
      fns.push(() => j);
      switch (j) {
        case 0: continue;
        case 1: if (i === 1) continue outer; break;
        case 2: if (i === 2) break outer; break;
      }
      if (j === 3) break inner;
      if (i * 10 + j === limit) return "returned " + i + j;
      log.push(i + "" + j);
    }
    if (i === 3) break;
  }
  return log.join(" ");
}
console.log(run(-1));
console.log(run(1));
console.log(run(32));
function first(obj) {
  for (let k in obj) { fns.push(() => k); if (obj[k]) return k; }
  return "none";
}
console.log(first({ a: 0, b: 1 }), first({}));
function undef() {
  for (let i = 0; i < 2; i++) { fns.push(() => i); return; }
}
console.log(typeof undef());
function labeledBlock() {
  var out = [];
  for (let i = 0; i < 3; i++) {
    fns.push(() => i);
    blk: { if (i === 1) break blk; out.push(i); }
    while (true) { out.push("w"); break; }
  }
  return out.join(",");
}
console.log(labeledBlock());
console.log(fns.length);
