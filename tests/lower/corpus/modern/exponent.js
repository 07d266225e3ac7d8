// The exponent operator: precedence, right associativity, and **= with the
// target's object and key evaluated once.
console.log((-2) ** 2, 2 ** -1, 2 ** 3 ** 2, (2 ** 3) ** 2, -(2 ** 2), 2 ** 0.5);
var n = 0;
var o = { b: 3 };
function get() { n++; return o; }
function key() { n++; return "b"; }
get().b **= 2;
get()[key()] **= 2;
console.log(o.b, n);
var x = 3;
x **= 2;
console.log(x, (x **= 0.5), x);
var a = [2];
a[0] **= a[0] **= 2;
console.log(a);
console.log(NaN ** 0, 1 ** Infinity, (-8) ** (1 / 3));
