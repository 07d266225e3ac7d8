// for...of over arrays, strings (code points) and arguments, with labels,
// break, continue, return and nested loops; the head's pattern.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var out = [];
for (var x of [1, 2, 3]) out.push(x);
log(out);
out = [];
for (var ch of "a\uD83D\uDE00b") out.push(ch.length);
log(out);
function fromArgs() {
    var r = [];
    for (var a of arguments) r.push(a);
    return r;
}
log(fromArgs(1, "b", 3));
out = [];
outer: for (var i of [1, 2, 3]) {
    for (var j of [1, 2, 3]) {
        if (j === 2) continue outer;
        if (i === 3) break outer;
        out.push(i + "" + j);
    }
}
log(out);
out = [];
a: b: for (var y of [1, 2, 3]) {
    if (y === 1) continue a;
    if (y === 3) break b;
    out.push(y);
}
log(out);
function find(list, want) {
    for (var item of list) if (item === want) return "found " + item;
    return "none";
}
log([find([1, 2], 2), find([1, 2], 5)]);
out = [];
for (var [k, v] of [["a", 1], ["b", 2]]) out.push(k + v);
log(out);
out = [];
for (var { name, n = 0 } of [{ name: "p" }, { name: "q", n: 5 }]) out.push(name + n);
log(out);
var target = {};
for (target.prop of ["x", "y"]);
log(target);
var last;
for (last of [7, 8, 9]);
log(last);
var grow = [1, 2];
out = [];
for (var g of grow) {
    out.push(g);
    if (grow.length < 5) grow.push(g * 10);
}
log(out);
out = [];
for (var s of ["p", "q"]) {
    switch (s) {
        case "p": out.push("P"); break;
        default: out.push("other");
    }
}
log(out);
if (true) for (var z of [1]) log("single " + z);
try {
    for (var bad of 5) log("never");
} catch (e) {
    log(e instanceof TypeError);
}
try {
    for (var w of [1, 2]) throw new Error("boom" + w);
} catch (e) {
    log(e.message);
}
