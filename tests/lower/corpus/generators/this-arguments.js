// this and arguments in generators (functions, methods, named recursive
// expressions), nested plain functions that keep their own, and function
// declarations inside a generator.
function collect(gen) {
  var out = [], r;
  while (!(r = gen.next()).done) out.push(r.value);
  return out.join(",");
}
var obj = {
  name: "obj",
  items: function* (prefix) {
    yield prefix + this.name;
    yield arguments.length + ":" + arguments[1];
    var self = this;
    yield (function () {
      return this === self ? "inner this is obj" : "inner this is its own";
    })();
    yield (function () {
      return arguments.length;
    })(1, 2, 3);
    yield helper();
    function helper() {
      return "helper sees " + prefix;
    }
  }
};
console.log(collect(obj.items("p-", "second")));

var walk = function* tree(node) {
  if (!node) return;
  yield* tree(node.left);
  yield node.v;
  yield* tree(node.right);
};
console.log(collect(walk({ v: 2, left: { v: 1 }, right: { v: 4, left: { v: 3 } } })));

function* sloppyAlias(a) {
  arguments[0] = "changed";
  yield a;
  a = "back";
  yield arguments[0];
}
console.log(collect(sloppyAlias("orig")));

function Counter(start) {
  this.n = start;
}
Counter.prototype.up = function* (by) {
  while (this.n < 10) {
    this.n += by;
    yield this.n;
  }
};
console.log(collect(new Counter(1).up(4)));
console.log(typeof Counter.prototype.up, Counter.prototype.up.length);

function* varsPersist() {
  var a = 1;
  yield a;
  var b = a + 1;
  yield b;
  for (var i = 0; i < 2; i++) var c = i;
  yield [a, b, c, i].join("");
}
console.log(collect(varsPersist()));
