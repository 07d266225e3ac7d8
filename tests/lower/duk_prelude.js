/*
 * What a corpus program finds in Duktape besides the language (ES5.1): console
 * (to print), setTimeout / setInterval / clearTimeout on a virtual clock, and
 * queueMicrotask (a polyfilled Promise that prefers it keeps the microtask
 * order; one that uses setTimeout still runs). run_corpus.py appends the
 * program as a string and the epilogue that runs it and drains the timers.
 */
var __k = (function (G) {
    "use strict";
    var clock = 0, seq = 0, tasks = [], micro = [];
    /* Node's console.log for what the programs print: strings as they are at
     * the top, quoted inside arrays and objects; short arrays and plain
     * objects on one line ("[ 1, 'a' ]", "{ a: 1 }"), as util.inspect does. */
    function inspect(v, top) {
        if (typeof v === "string") return top ? v : "'" + v.replace(/'/g, "\\'") + "'";
        if (typeof v === "number") return v === 0 && 1 / v < 0 ? "-0" : String(v);
        if (v === null || typeof v !== "object") return String(v);
        if (Object.prototype.toString.call(v) === "[object Array]") {
            var items = [];
            for (var i = 0; i < v.length; i++) items.push(i in v ? inspect(v[i], false) : "<1 empty item>");
            return items.length ? "[ " + items.join(", ") + " ]" : "[]";
        }
        if (Object.getPrototypeOf(v) === Object.prototype) {
            var keys = Object.keys(v), parts = [];
            for (var k = 0; k < keys.length; k++)
                parts.push((/^[A-Za-z_$][\w$]*$/.test(keys[k]) ? keys[k] : "'" + keys[k] + "'") +
                           ": " + inspect(v[keys[k]], false));
            return parts.length ? "{ " + parts.join(", ") + " }" : "{}";
        }
        return String(v);
    }
    function str(v) { return inspect(v, true); }
    G.console = {
        log: function () { print([].map.call(arguments, str).join(" ")); },
        error: function () { print([].map.call(arguments, str).join(" ")); }
    };
    G.console.info = G.console.warn = G.console.debug = G.console.log;
    function add(fn, ms, args, every) {
        tasks.push({ id: ++seq, seq: seq, at: clock + Math.max(0, +ms || 0), fn: fn, args: args,
                     every: every ? Math.max(1, +ms || 0) : 0 });
        return seq;
    }
    G.setTimeout = function (fn, ms) { return add(fn, ms, [].slice.call(arguments, 2), false); };
    G.setInterval = function (fn, ms) { return add(fn, ms, [].slice.call(arguments, 2), true); };
    G.clearTimeout = G.clearInterval = function (id) {
        for (var i = 0; i < tasks.length; i++) if (tasks[i].id === id) { tasks.splice(i, 1); return; }
    };
    G.queueMicrotask = function (fn) { micro.push(fn); };
    function uncaught(e) {
        print("Uncaught " + (e && e.name ? e.name + ": " + e.message : String(e)));
        if (e && e.stack) print(e.stack);
        G.__kFailed = true;
    }
    function drainMicro() {
        while (micro.length) { try { micro.shift()(); } catch (e) { uncaught(e); } }
    }
    return {
        run: function (text) {
            try { (0, eval)(text); } catch (e) { uncaught(e); }
            drainMicro();
            while (tasks.length) {
                var b = 0;
                for (var i = 1; i < tasks.length; i++)
                    if (tasks[i].at < tasks[b].at || (tasks[i].at === tasks[b].at && tasks[i].seq < tasks[b].seq)) b = i;
                var t = tasks.splice(b, 1)[0];
                clock = Math.max(clock, t.at);
                if (clock > 600000) { print("Uncaught Error: timers still running after 600 s"); G.__kFailed = true; return; }
                if (t.every) { t.at = clock + t.every; t.seq = ++seq; tasks.push(t); }
                try { t.fn.apply(G, t.args); } catch (e) { uncaught(e); }
                drainMicro();
            }
        }
    };
})(this);
