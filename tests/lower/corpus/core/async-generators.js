// Async generators with for await, return(), and sync iterables of promises.
async function* ticks(n) {
  try {
    for (let i = 0; i < n; i++) { await null; yield i; }
  } finally {
    console.log("ticks finally");
  }
}
async function main() {
  const seen = [];
  for await (const t of ticks(3)) seen.push(t);
  console.log(seen.join(","));
  for await (const t of ticks(5)) { if (t === 1) break; }
  for await (const v of [Promise.resolve("p"), "plain"]) console.log(v);
  const it = ticks(2);
  console.log(JSON.stringify(await it.next()));
  console.log(JSON.stringify(await it.return("early")));
  async function* delegating() { yield* ticks(1); yield "after"; }
  const all = [];
  for await (const v of delegating()) all.push(v);
  console.log(all.join(","));
  try {
    for await (const v of (async function* () { yield 1; throw new Error("gen err"); })()) console.log("got", v);
  } catch (e) { console.log(e.message); }
}
main();
