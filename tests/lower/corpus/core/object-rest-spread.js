// Object spread calls getters once, copies own enumerable symbols; rest excludes listed keys.
const s = Symbol("s");
let gets = 0;
const src = { a: 1, get b() { gets++; return 2; }, [s]: "sym" };
Object.defineProperty(src, "hidden", { value: 1, enumerable: false });
const copy = { ...src, c: 3 };
console.log(JSON.stringify(copy), gets, copy[s], "hidden" in copy);
const { a, ...rest } = copy;
console.log(a, JSON.stringify(rest), rest[s]);
const target = { set a(v) { console.log("setter not called for spread"); } };
const spread = { ...target, ...{ a: 9 } };
console.log(spread.a);
console.log(JSON.stringify({ ...null, ...undefined, ..."hi", ...[7] }));
const { [s]: picked, ...noSym } = src;
console.log(picked, Object.getOwnPropertySymbols(noSym).length, gets);
const proto = { inherited: 1 };
console.log(JSON.stringify({ ...Object.create(proto) }));
