// The capture trap: a name given by position is no binding inside the
// function or class, so references there still mean the outer variable.
var out = [];
var f = function () { return typeof f; };
out.push("f " + f.name + " " + f());
var g = function () { g = 1; return "reassigned"; };
var gFn = g;
out.push("g " + gFn.name + " " + gFn() + " " + g);
var h = function () { "use strict"; h = 2; return h; };
var hFn = h;
out.push("h " + hFn.name + " " + hFn() + " " + h);
var k = () => k;
out.push("k " + k.name + " " + (k() === k));
var C = class { m() { return C; } static s() { return typeof C; } };
var D = C;
C = null;
out.push("C " + D.name + " " + (new D().m() === null) + " " + D.s());
var E = class extends (typeof E === "function" ? E : Object) { who() { return "E"; } };
out.push("E " + E.name + " " + new E().who());
var outer = "outer";
var o = { outer: function () { return outer; }, p: () => { var p = "local"; return p; } };
out.push("o " + o.outer.name + " " + o.outer() + " " + o.p.name + " " + o.p());
var ev = function () { return eval("typeof ev"); };
out.push("ev " + ev.name + " " + ev());
var self = function (self) { return self; };
out.push("self " + self.name + " " + self(3));
var rec = function (n) { return n ? rec(n - 1) + 1 : 0; };
var recFn = rec;
rec = function () { return 100; };
out.push("rec " + recFn.name + " " + recFn(3));
function dflt(a = function () { return typeof a; }) { return a.name + " " + a(); }
out.push("dflt " + dflt());
console.log(out.join("\n"));
