// yield in try, catch and finally; nested try; return, break and continue
// through finally blocks; throw from finally; the catch parameter is its own
// variable.
var log = [];
function run(gen, sends) {
  var out = [], r, i = 0;
  try {
    for (;;) {
      r = gen.next(sends ? sends[i++] : undefined);
      out.push(JSON.stringify(r.value) + (r.done ? "!" : ""));
      if (r.done) break;
    }
  } catch (e) {
    out.push("threw " + (e && e.message ? e.message : e));
  }
  console.log(out.join(" ") + " | " + log.join(" "));
  log = [];
}

function* inCatch() {
  try {
    yield "t1";
    throw new Error("boom");
  } catch (e) {
    log.push("caught " + e.message);
    var got = yield "in catch";
    log.push("got " + got);
  }
  yield "after";
}
run(inCatch(), [0, 1, "X"]);

function* nested() {
  try {
    try {
      yield 1;
      throw "inner";
    } finally {
      log.push("inner finally");
      yield 2;
    }
  } catch (e) {
    log.push("outer caught " + e);
    yield 3;
  } finally {
    log.push("outer finally");
  }
  return 4;
}
run(nested());

function* returnThrough() {
  try {
    try {
      yield 1;
      return "r";
    } finally {
      log.push("f1");
    }
  } finally {
    log.push("f2");
    yield "in f2";
  }
  log.push("never");
}
run(returnThrough());

function* loopsThrough() {
  outer: for (var i = 0; i < 3; i++) {
    for (var j = 0; j < 3; j++) {
      try {
        if (j === 1) continue outer;
        if (i === 2) break outer;
        yield i + "" + j;
      } finally {
        log.push("f" + i + j);
      }
    }
  }
  return "done";
}
run(loopsThrough());

function* finallyThrows() {
  try {
    yield 1;
    return "lost";
  } finally {
    throw new Error("from finally");
  }
}
run(finallyThrows());

function* breakOutOfFinally() {
  var n = 0;
  while (true) {
    try {
      n++;
      if (n === 1) throw new Error("first");
      yield n;
      if (n === 3) return "ret";
    } finally {
      if (n === 1) continue;
      log.push("fin" + n);
    }
  }
}
run(breakOutOfFinally());

var e = "outer e";
function* shadow() {
  try {
    yield 1;
    throw "caught value";
  } catch (e) {
    log.push(e);
    yield function () { return e; }();
  }
  log.push(e);
}
run(shadow());

function* throwIn() {
  try {
    yield 1;
  } catch (err) {
    log.push("caught " + err);
    yield 2;
  } finally {
    log.push("finally");
  }
}
var g = throwIn();
g.next();
console.log(JSON.stringify(g.throw("T")), JSON.stringify(g.next()), log.join(" "));
log = [];
