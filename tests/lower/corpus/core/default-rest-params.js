// Default parameters see earlier parameters, not the body's vars; rest; length.
function f(a, b = a * 2, c = () => a + b) { var a; return [a, b, c()].join(","); }
console.log(f(1), f(1, 5));
function g(x, ...ys) { return x + ":" + ys.join("|"); }
console.log(g(1), g(1, 2, 3));
console.log(f.length, g.length, ((a, b = 1, c) => 0).length);
let side = 0;
function h(v = ++side) { return v; }
h(); h(10); h(undefined);
console.log(side);
function args(a = 1) { a = 2; return arguments[0]; }
console.log(args(9));
