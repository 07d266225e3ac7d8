// Names that cannot be a function expression's name in ES5 (reserved
// words, eval, arguments) or are not identifiers still reach `.name`.
var out = [];
function show(label, f) { out.push(label + "=" + JSON.stringify(f.name)); }
var o = {
  default: () => {},
  class: function () {},
  new: class {},
  if: function* () {},
  arguments: () => {},
  eval: function () {},
  yield: () => {},
  let: () => {},
  static: class {},
  "a-b": () => {},
  "": function () {},
  "\u00e9t\u00e9": () => {},
  Array: function () { return [].concat(arguments.length); },
};
for (var k in o) show(k, o[k]);
var x = { default: class { static make() { return new this(); } } }.default;
show("default class", x);
out.push("made " + (x.make() instanceof x));
var withStatic = { y: class { static name() { return "static"; } } }.y;
out.push("static name " + typeof withStatic.name);
var mentions = { default: function () { return typeof mentions; } };
out.push("mentions " + mentions.default.name + " " + mentions.default());
console.log(out.join("\n"));
