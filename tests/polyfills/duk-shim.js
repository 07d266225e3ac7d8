// What the checks need from a browser that Duktape lacks: console.log and
// timers (setTimeout, and setImmediate as IE 10+ has it). duk has no event
// loop, so run.py appends __loop(), which runs the queues dry: immediates
// first, then timers in due order, on a virtual clock.
var console = {
    log: function () {
        print(Array.prototype.join.call(arguments, " "));
    }
};
var __now = 0, __seq = 0, __timers = [], __imm = [];
function setTimeout(fn, ms) {
    var args = Array.prototype.slice.call(arguments, 2);
    __timers.push({ fn: fn, args: args, at: __now + (+ms > 0 ? +ms : 0), id: ++__seq });
    return __seq;
}
function clearTimeout(id) {
    for (var i = 0; i < __timers.length; i++) if (__timers[i].id === id) __timers.splice(i, 1);
}
function setImmediate(fn) {
    __imm.push(fn);
    return ++__seq;
}
function __loop() {
    for (var guard = 0; (__imm.length || __timers.length) && guard < 100000; guard++) {
        var f;
        if (__imm.length) f = { fn: __imm.shift(), args: [] };
        else {
            var best = 0;
            for (var i = 1; i < __timers.length; i++) if (__timers[i].at < __timers[best].at) best = i;
            f = __timers.splice(best, 1)[0];
            __now = f.at;
        }
        try {
            f.fn.apply(null, f.args);
        } catch (e) {
            print("uncaught in a timer: " + ((e && e.stack) || e));
        }
    }
}
