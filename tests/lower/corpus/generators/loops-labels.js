// Nested loops with labels and yields, break/continue across them, do-while,
// switch with fallthrough and yield in the cases and their tests, for-in over
// a snapshot of the keys (a deleted key is skipped, an added one is not seen).
function collect(gen) {
  var out = [], r;
  while (!(r = gen.next()).done) out.push(r.value);
  if (r.value !== undefined) out.push("=" + r.value);
  return out.join(",");
}
function* grid() {
  rows: for (var i = 0; i < 4; i++) {
    var j = 0;
    cols: while (true) {
      j++;
      if (j > 3) continue rows;
      if (i === 1 && j === 2) continue cols;
      if (i === 3) break rows;
      yield i + ":" + j;
      if (i === 2 && j === 2) break;
    }
    yield "row" + i;
  }
  return i;
}
console.log(collect(grid()));

function* doWhile() {
  var k = 0;
  do {
    if (k === 1) { k++; continue; }
    yield k;
    k++;
  } while (k < 4);
}
console.log(collect(doWhile()));

function* sw(x) {
  switch (x) {
    case 1:
      yield "one";
    case 2:
      yield "two";
      break;
    case (yield "test3"):
      yield "matched sent";
      break;
    default:
      yield "default";
    case 4:
      yield "four";
  }
  yield "after";
}
console.log(collect(sw(1)));
console.log(collect(sw(2)));
console.log(collect(sw(4)));
console.log(collect(sw(9)));
var s = sw(7);
s.next();
console.log(JSON.stringify(s.next(7)), JSON.stringify(s.next()));

function* keys(o) {
  for (var k in o) {
    if (k === "a") delete o.c;
    if (k === "b") o.z = 1;
    yield k + "=" + (yield k);
  }
}
var o = { a: 1, b: 2, c: 3, d: 4 };
var it = keys(o), r, seen = [];
r = it.next();
while (!r.done) {
  seen.push(r.value);
  r = it.next(r.value.toUpperCase ? r.value.toUpperCase() : r.value);
}
console.log(seen.join(" "));

function* labeledBlock() {
  block: {
    yield 1;
    if (true) break block;
    yield "never";
  }
  yield 2;
}
console.log(collect(labeledBlock()));

function* keptLoops() {
  // loops without yield inside a generator stay as written; their jumps out go
  // through the machine
  outer: while (true) {
    for (var i = 0; i < 5; i++) {
      if (i === 3) break outer;
    }
  }
  yield i;
  for (var m = 0; m < 3; m++) {
    for (var n = 0; n < 3; n++) {
      if (n === 1) continue;
      if (m === 1) break;
    }
    yield m + "" + n;
  }
}
console.log(collect(keptLoops()));

function* forInNull() {
  for (var k in null) yield k;
  for (k in undefined) yield k;
  for (k in "ab") yield k;
}
console.log(collect(forInNull()));
