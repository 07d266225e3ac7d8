// Positions that give no name stay anonymous: a sequence, call arguments,
// return values, a conditional, array elements; named functions and
// classes keep their own names; methods get their key.
var out = [];
function show(label, f) { out.push(label + "=" + JSON.stringify(f.name)); }
function id(f) { return f; }
var s1 = (0, function () {});
var s2 = id(() => {});
var s4 = (function () { return function () {}; })();
var s5 = true ? () => {} : null;
show("sequence", s1); show("argument", s2); show("returned", s4);
show("conditional", s5);
var s6 = [function () {}][0];
show("element", s6);
var named = function inner() {};
var namedClass = class Inner {};
show("named fn", named); show("named class", namedClass);
var m = { method() {}, get g() { return 1; } };
show("method", m.method);
console.log(out.join("\n"));
