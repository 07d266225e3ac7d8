// Shadowing in blocks, TDZ errors where observable, const assignment.
let x = "outer";
{
  let x = "inner";
  console.log(x);
}
console.log(x);
try {
  (function () { y; let y = 1; })();
} catch (e) {
  console.log(e instanceof ReferenceError ? "ReferenceError" : e.name);
}
try {
  const c = 1;
  c = 2;
} catch (e) {
  console.log(e instanceof TypeError ? "TypeError" : e.name);
}
function early() { return later(); }
const later = () => "later ok";
console.log(early());
switch (1) {
  case 1: { let s = "case scoped"; console.log(s); }
}
const fns = {};
{
  function hoisted() { return "block function"; }
  fns.f = hoisted;
}
console.log(fns.f());
