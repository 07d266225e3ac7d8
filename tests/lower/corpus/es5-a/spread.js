// Spread in calls, new and arrays: this of member calls, the callee's object
// evaluated once, holes, strings by code point, arguments, array-likes.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
function args() { return Array.prototype.slice.call(arguments); }
var arr = [1, 2, 3];
log(args(...arr));
log(args(0, ...arr, 4, ...[5, 6], 7));
log(Math.max(...arr, 10));
var obj = { v: 42, get: function (a, b) { return [this.v, a, b]; } };
log(obj.get(...[1, 2]));
log(obj["get"](...[3]));
var evals = 0;
function getObj() { evals++; return obj; }
log(getObj().get(...arr));
log(evals);
function Point(x, y) { this.x = x; this.y = y; }
Point.prototype.sum = function () { return this.x + this.y; };
var pt = new Point(...[3, 4]);
log([pt instanceof Point, pt.sum(), pt]);
var d = new Date(...[2020, 0, 2]);
log(d.getFullYear() + "-" + d.getMonth() + "-" + d.getDate());
log([...arr, ...arr]);
var holes = [0, , ...[1, 2], , 3];
log([holes.length, 1 in holes, 4 in holes, holes]);
var trailing = [...arr, , ];
log([trailing.length, 3 in trailing]);
log([..."a\uD83D\uDE00b"].map(function (s) { return s.length; }));
log([..."a\uD83D\uDE00b"].length);
function fromArgs() { return [...arguments]; }
log(fromArgs(1, "two", 3));
var sparse = [1, , 3];
log([...sparse]);
log(1 in [...sparse]);
var copy = [...arr];
copy.push(4);
log([arr.length, copy.length]);
try {
    args(...{ length: 2, 0: "a", 1: "b" });
    log("no error");
} catch (e) {
    log(e instanceof TypeError);
}
try {
    [...null];
} catch (e) {
    log(e instanceof TypeError);
}
var order = [];
function t(x) { order.push(x); return x; }
args(t(1), ...[t(2)], t(3));
log(order);
