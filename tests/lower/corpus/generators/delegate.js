// yield* to arrays, strings, other generators (their return value is the
// expression's value), iterators without throw or return methods; return()
// and throw() are forwarded; infinite generators consumed partially.
function collect(gen, limit) {
  var out = [], r, n = 0;
  while (!(r = gen.next()).done && n++ < (limit || 100)) out.push(r.value);
  return out.join(",") + (r.done ? " =" + r.value : " ...");
}
function* inner() {
  var a = yield "i1";
  yield "i2:" + a;
  return "inner result";
}
function* outer() {
  var r = yield* inner();
  yield "got " + r;
  yield* [1, 2];
  yield* "hé";
  return yield* inner();
}
console.log(collect(outer()));

var o = outer();
o.next();
console.log(JSON.stringify(o.next("sent")));

function* naturals() {
  var n = 0;
  for (;;) yield n++;
}
function* take(n, it) {
  for (var i = 0; i < n; i++) {
    var r = it.next();
    if (r.done) return;
    yield r.value;
  }
}
console.log(collect(take(5, naturals())));
console.log(collect(naturals(), 3));

var closed = [];
function* guarded(name) {
  try {
    yield name + "1";
    yield name + "2";
  } finally {
    closed.push(name);
  }
}
function* wrapper() {
  try {
    yield* guarded("g");
  } finally {
    closed.push("wrapper");
  }
}
var w = wrapper();
w.next();
console.log(JSON.stringify(w.return("stop")), closed.join(","));

function* catching() {
  while (true) {
    try {
      yield "ready";
    } catch (e) {
      yield "caught " + e;
    }
  }
}
function* passThrough() {
  return yield* catching();
}
var p = passThrough();
p.next();
console.log(JSON.stringify(p.throw("E")), JSON.stringify(p.next()));

var bare = {};
bare[Symbol.iterator] = function () {
  var i = 0;
  return {
    next: function () {
      i++;
      return { value: i, done: i > 3 };
    }
  };
};
function* toBare() {
  var r = yield* bare;
  return r;
}
console.log(collect(toBare()));
var tb = toBare();
tb.next();
try {
  tb.throw("no throw method");
} catch (e) {
  console.log(e instanceof TypeError);
}
tb = toBare();
tb.next();
console.log(JSON.stringify(tb.return("no return method")));

function* notIterable() {
  try {
    yield* 5;
  } catch (e) {
    yield e instanceof TypeError;
  }
}
console.log(collect(notIterable()));

function* args() {
  yield* arguments;
}
console.log(collect(args("a", "b")));
