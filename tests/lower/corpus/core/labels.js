// Labels with break/continue across nested (lowered) loops and blocks.
const out = [];
outer: for (let i = 0; i < 3; i++) {
  for (const j of [0, 1, 2]) {
    if (j === 1) continue outer;
    if (i === 2) break outer;
    out.push(`${i}${j}`);
    setTimeout(() => {}, 0);
  }
}
console.log(out.join(" "));
const fns = [];
loop: for (let i = 0; i < 4; i++) {
  fns.push(() => i);
  switch (i) {
    case 1: continue loop;
    case 3: break loop;
  }
  fns.push(() => -i);
}
console.log(fns.map((f) => f()).join(","));
block: {
  out.length = 0;
  out.push("in");
  if (out.length) break block;
  out.push("never");
}
console.log(out.join());
let k = 0;
w: while (true) { do { k++; if (k > 5) break w; continue w; } while (false); }
console.log(k);
