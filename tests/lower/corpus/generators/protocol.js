// Generator objects: next/throw/return with the right done and value, before
// the start, after the end, return() running finally blocks (which may yield),
// re-entrancy, and Symbol.iterator returning the generator itself.
function show(r) {
  return JSON.stringify(r.value) + "/" + r.done;
}
function* two() {
  var got = yield 1;
  console.log("got " + got);
  yield 2;
  return "end";
}
var it = two();
console.log(show(it.next("ignored")), show(it.next("A")), show(it.next()), show(it.next()));
console.log(show(it.return("late")), show(it.next()));
try { it.throw(new Error("after end")); } catch (e) { console.log("rethrown: " + e.message); }

it = two();
console.log(show(it.return("early")), show(it.next()));
it = two();
try { it.throw("before start"); } catch (e) { console.log("thrown: " + e); }
console.log(show(it.next()));

function* guarded() {
  try {
    yield "a";
    yield "b";
  } finally {
    console.log("cleanup");
    yield "from finally";
    console.log("cleanup done");
  }
  console.log("never");
}
it = guarded();
console.log(show(it.next()));
console.log(show(it.return("R")));
console.log(show(it.next()));
console.log(show(it.next()));

function* overriding() {
  try {
    yield 1;
  } finally {
    return "finally wins";
  }
}
it = overriding();
it.next();
console.log(show(it.return("asked")));

var self;
function* reenter() {
  try {
    self.next();
  } catch (e) {
    console.log(e instanceof TypeError ? "TypeError" : "other", /running/.test(e.message));
  }
  yield "ok";
}
self = reenter();
console.log(show(self.next()));

it = two();
console.log(it[Symbol.iterator]() === it, typeof it.next, String(it) === "[object Generator]");

function* thrower() {
  yield 1;
  throw new Error("inside");
}
it = thrower();
it.next();
try { it.next(); } catch (e) { console.log("escaped: " + e.message); }
console.log(show(it.next()));
