// Spread of iterables vs array-likes; holes; spread in new and calls.
const arrayLike = { 0: "a", 1: "b", length: 2 };
try { console.log([...arrayLike].length); } catch (e) { console.log("array-like is not iterable:", e instanceof TypeError); }
console.log(Array.from(arrayLike).join(","));
console.log([..."a😀b"].length);
console.log([...new Set([3, 1, 3, 2])].join(","));
console.log([...new Map([[1, "one"]])][0].join("="));
function* gen() { yield 1; yield 2; }
console.log([0, ...gen(), 3].join(","));
console.log(Math.max(...[1, 5, 3], ...gen()));
const holes = [, 1];
console.log(JSON.stringify([...holes]), 0 in [...holes]);
class P { constructor(...a) { this.a = a; } }
console.log(new P(...[1, 2], 3).a.join(","));
const o = { m(...xs) { return this.tag + xs.length; }, tag: "t" };
console.log(o.m(...[1, 2]));
const custom = { [Symbol.iterator]() { let i = 0; return { next: () => ({ value: i, done: i++ >= 2 }) }; } };
console.log([...custom].join(","));
