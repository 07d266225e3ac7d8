// Rejections and their order: a rejected await caught and rethrown, errors
// thrown after an await, an awaited rejected thenable, nested async calls
// propagating errors, finally blocks around await.
var log = [];
async function fail(msg) {
  await null;
  throw new Error(msg);
}
async function rethrow() {
  try {
    await fail("inner");
  } catch (e) {
    log.push("caught " + e.message);
    throw new Error("rethrown " + e.message);
  } finally {
    log.push("finally");
    await null;
    log.push("after await in finally");
  }
}
async function thenableReject() {
  try {
    await { then: function (res, rej) { rej("thenable says no"); } };
  } catch (e) {
    return "caught " + e;
  }
}
async function chain(n) {
  if (n === 0) throw new RangeError("bottom");
  return chain(n - 1);
}
async function awaitChain() {
  try {
    await chain(3);
  } catch (e) {
    return e.name + " " + e.message;
  }
}
rethrow().then(null, function (e) {
  log.push("rejected: " + e.message);
});
thenableReject().then(function (v) {
  log.push(v);
});
awaitChain().then(function (v) {
  log.push(v);
});
setTimeout(function () {
  console.log(log.join("\n"));
}, 0);
