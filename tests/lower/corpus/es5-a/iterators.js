// The iterator protocol under for...of, spread and array destructuring:
// return() is called when a loop is left early (break, return, throw, an
// outer continue) or a pattern stops early, never after exhaustion or when
// next() threw; Map, Set and custom iterables; iterables versus array-likes.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var events = [];
function counter(n, name) {
    var it = {};
    it[Symbol.iterator] = function () {
        var i = 0;
        events.push(name + ":open");
        return {
            next: function () {
                i++;
                events.push(name + ":next" + i);
                return i <= n ? { value: i, done: false } : { value: undefined, done: true };
            },
            return: function () {
                events.push(name + ":return");
                return {};
            }
        };
    };
    return it;
}
function flush(label) { log(label + " " + events.join(",")); events = []; }
for (var a of counter(2, "all")) events.push("body" + a);
flush("exhausted:");
for (var b of counter(5, "brk")) { if (b === 2) break; }
flush("break:");
function early() { for (var c of counter(5, "ret")) if (c === 1) return c; }
early();
flush("return:");
try { for (var d of counter(5, "thr")) throw new Error("x"); } catch (e) { events.push("caught " + e.message); }
flush("throw:");
outer: for (var i = 0; i < 2; i++) {
    for (var e of counter(3, "in" + i)) continue outer;
}
flush("continue outer:");
var badNext = {};
badNext[Symbol.iterator] = function () {
    return { next: function () { throw new Error("next failed"); }, return: function () { events.push("WRONG return"); return {}; } };
};
try { for (var f of badNext); } catch (err) { events.push(err.message); }
flush("next throws:");
var throwingReturn = {};
throwingReturn[Symbol.iterator] = function () {
    return { next: function () { return { value: 1, done: false }; }, return: function () { throw new Error("from return"); } };
};
try { for (var g of throwingReturn) throw new Error("from body"); } catch (err) { events.push(err.message); }
try { for (var h of throwingReturn) break; } catch (err) { events.push(err.message); }
flush("return throws:");
var spreadOut = [...counter(3, "spr")];
log(spreadOut);
flush("spread:");
var [x, y] = counter(5, "pat");
log([x, y]);
flush("pattern stops early:");
var [p, q, r] = counter(1, "short");
log([p, q, r]);
flush("pattern runs out:");
var [first, ...others] = counter(3, "rest");
log([first, others]);
flush("rest:");
var m = new Map([["k1", 1], ["k2", 2]]);
var mout = [];
for (var [mk, mv] of m) mout.push(mk + "=" + mv);
log(mout);
log([...m.keys()]);
var s = new Set([3, 1, 3, 2]);
log([...s]);
var sum = 0;
for (var sv of s) sum += sv;
log(sum);
log(Math.max(...s));
var arrayLike = { length: 2, 0: "a", 1: "b" };
try { for (var al of arrayLike); log("iterated"); } catch (err) { log("array-like: " + (err instanceof TypeError)); }
log(Array.prototype.slice.call(arrayLike));
var nested = [];
for (var n1 of [1, 2]) for (var n2 of counter(1, "n" + n1)) nested.push(n1 * 10 + n2);
log(nested);
flush("nested:");
