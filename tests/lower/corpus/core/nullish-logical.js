// ?? vs ||, and logical assignment short-circuits (no set when not needed).
console.log(0 ?? "d", 0 || "d", "" ?? "d", "" || "d", null ?? "d", undefined ?? "d", false ?? "d");
console.log((null || undefined) ?? "x");
let sets = 0;
const o = {
  _v: 0,
  get v() { return this._v; },
  set v(x) { sets++; this._v = x; },
};
o.v ||= 5;
o.v ||= 6;
o.v &&= 7;
o.v ??= 8;
console.log(o.v, sets);
const frozen = Object.freeze({ a: 1 });
frozen.a ||= 2;
console.log(frozen.a);
let n = null;
n ??= (() => "lazy")();
console.log(n);
const key = () => { console.log("key once"); return "k"; };
const obj = {};
obj[key()] ??= "v";
console.log(obj.k);
