// ** precedence, right associativity, unary minus in parentheses, **=.
console.log(2 ** 3 ** 2, (2 ** 3) ** 2, (-2) ** 2, 2 ** -1);
let x = 3;
x **= 2;
console.log(x);
const o = { v: 2, n: 0, get k() { this.n++; return "v"; } };
o[o.k] **= 3;
console.log(o.v, o.n);
console.log(-(2 ** 2), 2 ** 0.5 === Math.SQRT2, (-8) ** (1 / 3));
