// The TAP side of the browser tests: tests run in order (each may rely on
// the ones before, as a visitor's story does); a setup that fails fails them
// all. Prints "ok N - name" / "not ok N - name" with the stack, then "1..N",
// and returns the number of failures.
function printStack(e) {
  for (const l of String((e && e.stack) || e).split('\n')) console.log('#   ' + l);
}

export async function runTap(tests, setup) {
  try {
    await setup();
  } catch (e) {
    console.log(`not ok 1 - setup: ${String(e.message || e).split('\n')[0]}`);
    printStack(e);
    console.log(`1..${tests.length}`);
    return tests.length;
  }
  let failed = 0;
  let n = 0;
  for (const t of tests) {
    n++;
    try {
      await t.fn();
      console.log(`ok ${n} - ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${n} - ${t.name}`);
      printStack(e);
    }
  }
  console.log(`1..${tests.length}`);
  return failed;
}
