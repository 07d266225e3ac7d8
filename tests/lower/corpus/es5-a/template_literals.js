// Template literals: ToString (not valueOf) on substitutions, escapes, and
// tagged templates whose strings object is cached per call site and frozen.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var o = { valueOf: function () { return 1; }, toString: function () { return "str"; } };
log(`a${o}b`);
log(`${1}${2}` + `${""}x${null}${undefined}`);
log(`line1
line2\ttab \u{1F600} \x41 \0 end`.length);
log(`nested ${`inner ${o} ${`deep`}`} done`);
var order = [];
function mark(v) { order.push(v); return v; }
log(`${mark(1)}-${mark(2)}-${mark(3)}`);
log(order);

function tag(strings) {
    var rest = Array.prototype.slice.call(arguments, 1);
    return { strings: strings, values: rest };
}
function site() { return tag`x${1}y${2}z`; }
var a = site(), b = site();
log(a.strings === b.strings);
log(a.strings === tag`x${1}y${2}z`.strings);
log([Object.isFrozen(a.strings), Object.isFrozen(a.strings.raw)]);
log([a.strings, a.strings.raw, a.values]);
var sites = [];
for (var i = 0; i < 3; i++) sites.push(tag`loop${i}`.strings);
log([sites[0] === sites[1], sites[1] === sites[2]]);
var raw = tag`\n\u0041${0}\x`;
log([raw.strings[0], raw.strings[1], raw.strings.raw]);
function rawTag(s, v) { return s.raw[0] + v + s.raw[1]; }
log(rawTag`a\tb${1}c\u{62}`);
var obj = {
    prefix: "P",
    t: function (s, v) { return this.prefix + s[0] + v + s[1]; }
};
log(obj.t`<${42}>`);
log(obj["t"]`[${"k"}]`);
var calls = [];
function getTag() { calls.push("tag"); return function (s, x) { calls.push("call"); return x; }; }
getTag()`${mark("sub")}`;
log(calls);
log(order);
