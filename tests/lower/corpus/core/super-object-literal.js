// super in object literal methods (HomeObject), including through setPrototypeOf.
const base = { hi() { return "base hi " + this.n; }, get g() { return "base g"; } };
const derived = {
  __proto__: base,
  n: 1,
  hi() { return "derived then " + super.hi(); },
  get g() { return "derived " + super.g; },
};
console.log(derived.hi());
console.log(derived.g);
const other = { n: 2, hi: derived.hi };
console.log(other.hi());
const p2 = { hi() { return "p2 hi " + this.n; } };
Object.setPrototypeOf(derived, p2);
console.log(derived.hi());
