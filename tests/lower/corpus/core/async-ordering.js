// Async functions: ordering against promise jobs, errors, await of thenables.
const log = [];
async function a() { log.push("a1"); await null; log.push("a2"); await null; log.push("a3"); }
Promise.resolve().then(() => log.push("p1")).then(() => log.push("p2")).then(() => log.push("p3"));
a();
log.push("sync");
async function fails() { await null; throw new Error("async boom"); }
const thenable = { then(r) { r("thenable value"); } };
(async () => {
  try { await fails(); } catch (e) { log.push("caught " + e.message); }
  log.push(await thenable);
  const arrow = async (x) => x * 2;
  log.push(String(await arrow(21)));
  setTimeout(() => { console.log(log.join(" ")); }, 0);
})();
