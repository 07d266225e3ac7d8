// for-of over Map, Set, strings with surrogate pairs, arguments, and iterator close.
const m = new Map([["a", 1], ["b", 2]]);
for (const [k, v] of m) console.log(k, v);
for (const v of new Set(["x", "y", "x"])) console.log(v);
const chars = [];
for (const ch of "a😀\u{1F600}z") chars.push(ch.length);
console.log(chars.join(","));
(function () { for (const a of arguments) console.log("arg", a); })(1, 2);
const it = {
  [Symbol.iterator]() {
    let i = 0;
    return { next: () => ({ value: i++, done: false }), return: () => { console.log("closed"); return {}; } };
  },
};
for (const v of it) { if (v === 2) break; }
try { for (const v of it) { throw new Error("inside"); } } catch (e) { console.log(e.message); }
for (const [i, v] of ["p", "q"].entries()) console.log(i, v);
console.log([...m.keys()].join("") + [...m.values()].join(""));
