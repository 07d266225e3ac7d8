// The name each position gives an anonymous function, arrow, class, async
// function and generator (NamedEvaluation): declarations, simple
// assignments, logical assignments, static property keys, parenthesized
// values, defaults in patterns and parameters.
var names = [];
function show(label, f) { names.push(label + "=" + JSON.stringify(f.name)); }
var v1 = function () {};
let v2 = () => 1;
const v3 = class {};
var v4 = async function () {};
var v5 = function* () {};
var v6 = async () => {};
var v7 = (function () {});
show("var fn", v1); show("let arrow", v2); show("const class", v3);
show("async fn", v4); show("generator", v5); show("async arrow", v6); show("paren", v7);
var a1, a2, a3, a4;
a1 = function () {};
a2 = () => {};
a3 = class {};
a1 = a4 = () => {};
show("assign fn", a1); show("assign arrow", a2); show("assign class", a3); show("chain", a4);
var l1, l2 = 0, l3 = null;
l1 ||= () => {};
l2 &&= () => {};
l3 ??= class {};
show("||=", l1); show("&&=", l2); show("??=", l3);
var o = {
  k1: function () {},
  "k2": () => {},
  k3: class {},
  "k 4": function () {},
  5: () => {},
  1.5: function () {},
  0x10: class {},
  $k: function* () {},
  _k: async () => {},
};
show("key fn", o.k1); show("str key", o.k2); show("key class", o.k3); show("spaced key", o["k 4"]);
show("num key", o[5]); show("float key", o[1.5]); show("hex key", o[16]);
show("$ key", o.$k); show("_ key", o._k);
var { d1 = function () {}, d2: d2 = () => {}, d3 = class {} } = {};
var [e1 = () => {}, [e2 = function () {}] = []] = [];
show("obj default", d1); show("obj renamed default", d2); show("class default", d3);
show("array default", e1); show("nested default", e2);
var f1, f2;
({ f1 = () => {} } = {});
[f2 = function () {}] = [];
show("assign obj default", f1); show("assign array default", f2);
function params(p1 = function () {}, { p2 = () => {} } = {}, [p3 = class {}] = []) {
  return [p1.name, p2.name, p3.name].join(",");
}
names.push("params=" + params());
var arrowParams = (q1 = () => {}) => q1.name;
names.push("arrow param=" + arrowParams());
console.log(names.join("\n"));
var lit = { ["lit"]: () => {}, [2]: function () {}, ["__proto__"]: class {} };
console.log(lit.lit.name, lit[2].name, JSON.stringify(Object.keys(lit)), lit["__proto__"].name);
