// The ES5 syntax passes together with arrows, classes and block scoping:
// super and this in arrows inside methods, defaults that capture this,
// per-iteration for-of bindings, spread of an outer function's arguments.
const log = (x) => console.log(typeof x === "string" ? x : JSON.stringify(x));
const base = { hello(p) { return `hello ${p} from ${this.name}`; } };
const obj = {
    __proto__: base,
    name: "obj",
    later() { return [1, 2].map((n) => super.hello(n)); },
    deeper() { const f = () => () => super.hello(this.name); return f()(); },
    withDefault(a = () => this.name) { return a(); },
    spreadArgs() { const g = () => [...arguments]; return g(9); }
};
log(obj.later());
log(obj.deeper());
log(obj.withDefault());
log(obj.spreadArgs(1, 2));
const fns = [];
for (const x of [1, 2, 3]) fns.push(() => x);
log(fns.map((f) => f()));
const pairs = [];
for (let [k, v] of [["a", 1], ["b", 2]]) { pairs.push(() => `${k}=${v}`); v++; }
log(pairs.map((f) => f()));
const point = ({ x, y = x * 2 }, ...rest) => `${x},${y},${rest.length}`;
log(point({ x: 3 }, 1, 2));
class Box {
    constructor(...items) { this.items = [...items]; }
    sum({ start = 0 } = {}) { let t = start; for (const i of this.items) t += i; return t; }
}
const box = new Box(...[1, 2, 3]);
log([box.items, box.sum(), box.sum({ start: 10 })]);
const tag = (s, ...v) => s.raw.join("|") + v.join(",");
const tagged = [1, 2].map((i) => tag`a${i}b`);
log(tagged);
let { a: { b: [first, ...others] = [] } = {} } = { a: { b: "xyz" } };
log([first, others]);
