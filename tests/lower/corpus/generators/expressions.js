// yield inside expressions: operands before a yield are evaluated before it
// (left to right, each once), && || ?: short-circuit, and yield inside call
// arguments (with the method's this), array and object literals, member
// expressions, assignments (compound ones read their target first) and
// sequences.
var log = [];
function t(name, v) {
  log.push(name);
  return v;
}
function drive(gen, sends) {
  var r = gen.next(), i = 0;
  while (!r.done) r = gen.next(sends[i++]);
  console.log(JSON.stringify(r.value) + " | " + log.join(" "));
  log = [];
}
function* add() {
  return t("a", 1) + (yield t("b", 0)) + t("c", 100);
}
drive(add(), [10]);

var x = 1;
function* reads() {
  return x + (yield "x changes meanwhile");
}
var g = reads();
g.next();
x = 1000;
console.log(JSON.stringify(g.next(5)));

var obj = {
  v: 7,
  m: function (a, b) {
    return this.v + ":" + a + ":" + b;
  }
};
function* calls() {
  var r1 = t("obj", obj).m(t("arg1", 1), yield "arg2");
  var r2 = Math.max(yield "p", yield "q", t("last", 3));
  var r3 = [t("e0", 0), yield "e1", t("e2", 2)];
  var r4 = { a: t("pa", "A"), b: yield "pb", c: t("pc", "C") };
  return [r1, r2, r3.join("-"), JSON.stringify(r4)].join(" ");
}
drive(calls(), ["two", 4, 9, "E1", "B"]);

function* logic() {
  var a = t("l", 0) && (yield "skipped");
  var b = t("l2", 1) && (yield "taken");
  var c = t("o", 1) || (yield "skipped");
  var d = t("o2", 0) || (yield "taken2");
  var e = t("c", true) ? yield "yes" : yield "no";
  var f = (yield "test") ? t("then", "T") : t("else", "E");
  t("stmt", 0) || (yield "as statement");
  return [a, b, c, d, e, f].join(",");
}
drive(logic(), ["B", "D", "Y", 0, "S"]);

function* assigns() {
  var o = { n: 1, list: [10, 20] };
  var k = "n";
  o[t("key", k)] += yield "add to n";
  o.list[t("idx", 1)] = yield "set list[1]";
  var s = "s";
  s += yield "append";
  var z = (t("seq1", 1), yield "seq", t("seq2", 2));
  (yield "obj").w = "written";
  return JSON.stringify(o) + " " + s + " " + z;
}
var holder = {};
drive(assigns(), [5, 99, "!", "ignored", holder]);
console.log(holder.w);

function* nestedYields() {
  return (yield (yield (yield 1) + 1) + 1) + 1;
}
var n = nestedYields(), r = n.next(), trace = [];
while (!r.done) {
  trace.push(r.value);
  r = n.next(r.value * 10);
}
console.log(trace.join(" ") + " -> " + r.value);

function* newAndMember() {
  function P(a, b) {
    this.s = a + b;
  }
  var p = new P(t("n1", "x"), yield "n2");
  var m = { deep: { v: "V" } };
  var v = m[yield "key"].v;
  return p.s + " " + v + " " + typeof (yield "typeof") + " " + -(yield "neg");
}
drive(newAndMember(), ["y", "deep", 1, 5]);

function* updates() {
  var o = { c: 1 };
  (yield "target").c++;
  ++(yield "target2").c;
  return o.c;
}
var u = updates();
u.next();
var target = { c: 5 };
u.next(target);
console.log(JSON.stringify(u.next(target)), target.c);
