// Rejections, finally in async functions, Promise.all / race order.
async function r(v, fail) { await null; if (fail) throw new Error(v); return v; }
async function main() {
  try { await Promise.all([r("a"), r("b", true), r("c", true)]); } catch (e) { console.log("all", e.message); }
  console.log("race", await Promise.race([r("x"), r("y")]));
  const f = async () => { try { return await r("t", true); } catch (e) { return "caught " + e.message; } finally { console.log("finally"); } };
  console.log(await f());
  const p = r("late", true);
  await p.catch((e) => console.log("late", e.message));
  try { await (async () => { null.x; })(); } catch (e) { console.log(e instanceof TypeError); }
}
main().then(() => console.log("done"));
