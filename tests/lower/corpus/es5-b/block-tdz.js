// TDZ and const: reads and typeof before the declaration throw
// ReferenceError, assignments to a const throw TypeError after their right
// side ran, shadowing in blocks, functions declared in blocks.
"use strict";
function tdzRead() { try { return v; } catch (e) { return e instanceof ReferenceError; } finally { } let v = 1; }
console.log("read", tdzRead());
function tdzTypeof() { try { return typeof t; } catch (e) { return e.constructor === ReferenceError; } let t; }
console.log("typeof", tdzTypeof());
function tdzWrite() { try { w = 2; } catch (e) { return e instanceof ReferenceError; } let w; }
console.log("write", tdzWrite());
const c = 1;
var ran = false;
try { c = (ran = true, 2); } catch (e) { console.log("const", e instanceof TypeError, ran, c); }
try { c += 1; } catch (e) { console.log("compound", e instanceof TypeError, c); }
try { for (const i = 0; i < 2; i++) {} } catch (e) { console.log("const loop", e instanceof TypeError); }
let x = "outer";
{ let x = "inner"; console.log(x); { const x = "innermost"; console.log(x); } }
console.log(x);
function shadowParam(p) { { let p = 2; } return p; }
console.log(shadowParam(1));
var g = "global-ish";
function usesOuter() { { let g = "block"; } return g; }
console.log(usesOuter());
{
  function inBlock() { return "block fn"; }
  console.log(inBlock());
}
console.log(typeof inBlock);
switch (1) { case 1: let s = "case let"; console.log(s); break; }
console.log(typeof s);
