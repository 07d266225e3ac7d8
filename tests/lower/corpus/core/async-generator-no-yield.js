// Async generators with no yield of their own (found by fuzz_lower: at es5
// their wrapped body stayed a function*, which ES5 cannot parse).
async function* empty() {}
async function* onlyAwait() { await null; }
async function* onlyVar() { var x = 1; x++; }
async function main() {
  console.log(JSON.stringify(await empty().next()));
  console.log(JSON.stringify(await onlyAwait().next()));
  const seen = [];
  for await (const v of onlyVar()) seen.push(v);
  console.log("items", seen.length);
  const o = { async *m() {} };
  console.log(JSON.stringify(await o.m().next()));
}
main();
