// Microtask order: two async functions interleaving their steps, await of a
// native promise, a plain value and a thenable, a returned promise (two extra
// ticks), against plain promise chains. The lowered code must print what
// native async functions print.
var log = [];
async function a() {
  log.push("a1");
  await undefined;
  log.push("a2");
  await Promise.resolve();
  log.push("a3");
  await { then: function (r) { log.push("thenable called"); r(); } };
  log.push("a4");
}
async function b() {
  log.push("b1");
  await null;
  log.push("b2");
  await null;
  log.push("b3");
  return Promise.resolve("b result");
}
Promise.resolve().then(function () { log.push("p1"); }).then(function () { log.push("p2"); })
  .then(function () { log.push("p3"); }).then(function () { log.push("p4"); })
  .then(function () { log.push("p5"); }).then(function () { log.push("p6"); });
a().then(function () { log.push("a done"); });
b().then(function (v) { log.push("b done: " + v); });
log.push("sync end");
setTimeout(function () {
  console.log(log.join(" "));
}, 0);
