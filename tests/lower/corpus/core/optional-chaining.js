// ?. with calls, deletes, short-circuit of the whole chain, this preserved.
const o = { a: { b: () => "called", n: null }, m() { return this === o; } };
console.log(o?.a?.b(), o.x?.y.z, o.a.n?.q);
console.log(o.m?.(), o.nope?.(), o.a?.["b"]?.());
let evaluated = 0;
const nul = null;
console.log(nul?.[evaluated++], evaluated);
console.log(delete o?.a?.n, "n" in o.a, delete nul?.x);
const f = null;
console.log(f?.(evaluated++), evaluated);
console.log((o?.m)(), typeof o.a?.b);
const arr = [[1]];
console.log(arr?.[0]?.[0], arr[5]?.[0]);
