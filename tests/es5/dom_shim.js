/*
 * A minimal browser for kiln's legacy pages, in ES5, for Duktape (and Node's
 * vm, as the reference): window/self as the global, a document built from
 * the page's element tree (parsed by run_page.py), <script> elements that
 * load from a files table, a virtual clock with a task queue and a microtask
 * queue, fetch (needs a Promise: native or polyfilled), a small URL, and
 * console.* to print(). What an IE 11 would do with the page; nothing more.
 *
 * The host defines, before this file runs:
 *   __kilnHost = { files: {"/path": text}, origin, page, tree, mode,
 *                  print(line), evalScript(text, url)?, module(el, url, text)? }
 * then calls __kiln.start() and __kiln.step() until it returns false (Node
 * yields to its own microtasks between steps), keeps __kiln.state(), then
 * for each __kiln.act(i) that returns true steps again; the final state.
 * Deliberate simplifications (tests/es5/README.md): the whole tree exists
 * before the first script runs; external scripts are never late (parsing is
 * one task); a dynamically inserted script runs in a later task.
 */
(function (G) {
    "use strict";
    var H = G.__kilnHost;
    var print = H.print || G.print;
    var clock = 0, seq = 0, tasks = [], micro = [], errors = [], logs = [], loaded = [];

    function fmt(v) {
        if (typeof v === "string") return v;
        if (v instanceof Error || (v && typeof v.stack === "string" && v.message !== undefined))
            return String(v.name || "Error") + ": " + v.message;
        try {
            var j = JSON.stringify(v);
            if (j !== undefined && typeof v === "object") return j;
        } catch (e) { /* cyclic: String() below */ }
        return String(v);
    }
    function out(kind, args) {
        var parts = [];
        for (var i = 0; i < args.length; i++) parts.push(fmt(args[i]));
        var line = parts.join(" ");
        logs.push(kind === "log" ? line : kind + ": " + line);
        print("console." + kind + ": " + line);
    }
    function report(where, e) {
        var msg = e && e.name ? e.name + ": " + e.message : String(e);
        errors.push(where + ": " + msg);
        print("uncaught (" + where + "): " + msg + (e && e.stack ? "\n" + e.stack : ""));
        var onerror = G.onerror;
        if (typeof onerror === "function") {
            try { onerror(msg, where, e && e.lineNumber, 0, e); } catch (x) { /* ignored */ }
        }
    }

    /* ---- the virtual clock ------------------------------------------------ */
    function addTask(delay, fn, args, repeat) {
        var t = { id: ++seq, at: clock + Math.max(0, +delay || 0), fn: fn, args: args || [],
                  every: repeat ? Math.max(1, +delay || 0) : 0, seq: seq };
        tasks.push(t);
        return t.id;
    }
    function drainMicro() {
        while (micro.length) {
            var m = micro.shift();
            try { m(); } catch (e) { report("microtask", e); }
        }
    }
    function step() {
        drainMicro();
        if (!tasks.length) return false;
        var best = 0;
        for (var i = 1; i < tasks.length; i++)
            if (tasks[i].at < tasks[best].at ||
                (tasks[i].at === tasks[best].at && tasks[i].seq < tasks[best].seq))
                best = i;
        var t = tasks.splice(best, 1)[0];
        if (t.at > clock) clock = t.at;
        if (t.every) {
            t.at = clock + t.every;
            t.seq = ++seq;
            tasks.push(t);
        }
        if (clock > 600000) { /* ten virtual minutes: a runaway interval */
            report("timers", new Error("still running after 600 s of virtual time"));
            tasks = [];
            return false;
        }
        try {
            typeof t.fn === "function" ? t.fn.apply(G, t.args) : (0, eval)(String(t.fn));
        } catch (e) {
            report("timer", e);
        }
        drainMicro();
        return true;
    }
    function clearTask(id) {
        for (var i = 0; i < tasks.length; i++)
            if (tasks[i].id === id) { tasks.splice(i, 1); return; }
    }
    G.setTimeout = function (fn, ms) { return addTask(ms, fn, [].slice.call(arguments, 2), false); };
    G.setInterval = function (fn, ms) { return addTask(ms, fn, [].slice.call(arguments, 2), true); };
    G.clearTimeout = G.clearInterval = clearTask;
    G.requestAnimationFrame = function (fn) {
        return addTask(16, function () { fn(clock); });
    };
    G.cancelAnimationFrame = clearTask;
    /* Not in IE 11: a polyfill that prefers it gets real microtask order. */
    if (typeof G.queueMicrotask !== "function" || H.mode === "legacy")
        G.queueMicrotask = function (fn) { micro.push(fn); };
    G.performance = { now: function () { return clock; } };

    /* A fixed wall clock (the browser test's), moved by the virtual one. */
    var RealDate = Date, T0 = new RealDate(2026, 2, 4, 10, 17, 0).getTime();
    function FakeDate(a, b, c, d, e, f, g) {
        var n = arguments.length;
        if (!(this instanceof FakeDate)) return new RealDate(T0 + clock).toString();
        if (n === 0) return new RealDate(T0 + clock);
        if (n === 1) return new RealDate(a);
        return new RealDate(a, b, n > 2 ? c : 1, n > 3 ? d : 0, n > 4 ? e : 0, n > 5 ? f : 0,
                            n > 6 ? g : 0);
    }
    FakeDate.prototype = RealDate.prototype;
    FakeDate.now = function () { return T0 + clock; };
    FakeDate.UTC = RealDate.UTC;
    FakeDate.parse = RealDate.parse;
    G.Date = FakeDate;

    /* ---- URL -------------------------------------------------------------- */
    function parseAbs(s) {
        var m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/([^\/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(s);
        if (!m) return null;
        return { protocol: m[1].toLowerCase(), host: m[2], pathname: m[3] || "/",
                 search: m[4] && m[4] !== "?" ? m[4] : "", hash: m[5] && m[5] !== "#" ? m[5] : "" };
    }
    function dots(path) {
        var segs = path.split("/"), outp = [];
        for (var i = 0; i < segs.length; i++) {
            var s = segs[i];
            if (s === "..") { if (outp.length > 1) outp.pop(); if (i === segs.length - 1) outp.push(""); }
            else if (s === ".") { if (i === segs.length - 1) outp.push(""); }
            else outp.push(s);
        }
        var r = outp.join("/");
        return r.charAt(0) === "/" ? r : "/" + r;
    }
    function resolve(rel, base) {
        rel = String(rel);
        var a = parseAbs(rel);
        if (a) { a.pathname = dots(a.pathname); return a; }
        var b = base === undefined ? null : parseAbs(String(base));
        if (!b) throw new TypeError("Invalid URL: " + rel + (base ? " against " + base : ""));
        if (rel.slice(0, 2) === "//") return resolve(b.protocol + rel);
        var m = /^([^?#]*)(\?[^#]*)?(#.*)?$/.exec(rel);
        var r = { protocol: b.protocol, host: b.host, pathname: b.pathname, search: b.search,
                  hash: m[3] || "" };
        if (m[1]) {
            r.pathname = dots(m[1].charAt(0) === "/" ? m[1]
                : b.pathname.slice(0, b.pathname.lastIndexOf("/") + 1) + m[1]);
            r.search = m[2] || "";
        } else if (m[2]) {
            r.search = m[2];
        }
        if (r.search === "?") r.search = "";
        return r;
    }
    function URL_(rel, base) {
        var r = resolve(rel, base);
        for (var k in r) this[k] = r[k];
        this.origin = r.protocol + "//" + r.host;
        this.hostname = r.host.replace(/:\d+$/, "");
        this.port = (/:(\d+)$/.exec(r.host) || ["", ""])[1];
        this.href = this.origin + r.pathname + r.search + r.hash;
    }
    URL_.prototype.toString = URL_.prototype.toJSON = function () { return this.href; };
    if (typeof G.URL !== "function" || H.mode === "legacy") G.URL = URL_;
    function abs(u, base) { return new URL_(u, base || H.origin + H.page).href; }
    function pathOf(u) { var p = parseAbs(u); return p && u.indexOf(H.origin + "/") === 0 ? p.pathname : null; }
    function file(u) {
        var p = pathOf(u);
        if (p === null) return undefined;
        var f = H.files[p];
        if (f === undefined && /\/$/.test(p)) f = H.files[p + "index.html"];
        return f;
    }

    /* ---- events ----------------------------------------------------------- */
    function Event_(type, init) {
        this.type = type;
        this.bubbles = !!(init && init.bubbles);
        this.defaultPrevented = false;
        this.target = null;
    }
    Event_.prototype.preventDefault = function () { this.defaultPrevented = true; };
    Event_.prototype.stopPropagation = function () { this.stopped = true; };
    G.Event = Event_;
    function Target() {}
    Target.prototype.addEventListener = function (type, fn) {
        var l = this._l || (this._l = {});
        (l[type] || (l[type] = [])).push(fn);
    };
    Target.prototype.removeEventListener = function (type, fn) {
        var a = this._l && this._l[type];
        if (!a) return;
        for (var i = 0; i < a.length; i++) if (a[i] === fn) { a.splice(i, 1); return; }
    };
    Target.prototype.dispatchEvent = function (ev) {
        if (!ev.target) ev.target = this;
        ev.currentTarget = this;
        var on = this["on" + ev.type];
        var a = ((this._l && this._l[ev.type]) || []).slice();
        if (typeof on === "function") a.unshift(on);
        for (var i = 0; i < a.length; i++) {
            try {
                typeof a[i] === "function" ? a[i].call(this, ev) : a[i].handleEvent(ev);
            } catch (e) {
                report(ev.type + " listener", e);
            }
        }
        if (ev.bubbles && !ev.stopped && this.parentNode) this.parentNode.dispatchEvent(ev);
        return !ev.defaultPrevented;
    };
    function fire(target, type, bubbles) { target.dispatchEvent(new Event_(type, { bubbles: bubbles })); }

    /* ---- nodes ------------------------------------------------------------ */
    function Node_() {}
    Node_.prototype = Object.create(Target.prototype);
    Node_.ELEMENT_NODE = 1;
    Node_.TEXT_NODE = 3;
    G.Node = Node_;
    function Text_(t) { this.nodeType = 3; this.data = String(t); this.parentNode = null; }
    Text_.prototype = Object.create(Node_.prototype);
    Object.defineProperty(Text_.prototype, "textContent", {
        get: function () { return this.data; }, set: function (v) { this.data = String(v); } });
    Object.defineProperty(Text_.prototype, "nodeValue", {
        get: function () { return this.data; }, set: function (v) { this.data = String(v); } });
    G.Text = Text_;

    function Element_(tag, ns) {
        this.nodeType = 1;
        this.localName = String(tag).toLowerCase();
        this.tagName = this.nodeName = ns ? String(tag) : this.localName.toUpperCase();
        this.namespaceURI = ns || "http://www.w3.org/1999/xhtml";
        this.attributes = [];
        this.childNodes = [];
        this.parentNode = null;
        this.style = {};
    }
    Element_.prototype = Object.create(Node_.prototype);
    G.Element = G.HTMLElement = Element_;
    var EP = Element_.prototype;
    function attrIndex(el, name) {
        name = String(name).toLowerCase();
        for (var i = 0; i < el.attributes.length; i++) if (el.attributes[i].name === name) return i;
        return -1;
    }
    EP.getAttribute = function (n) { var i = attrIndex(this, n); return i < 0 ? null : this.attributes[i].value; };
    EP.hasAttribute = function (n) { return attrIndex(this, n) >= 0; };
    EP.setAttribute = function (n, v) {
        var i = attrIndex(this, n);
        if (i < 0) this.attributes.push({ name: String(n).toLowerCase(), value: String(v) });
        else this.attributes[i].value = String(v);
    };
    EP.removeAttribute = function (n) { var i = attrIndex(this, n); if (i >= 0) this.attributes.splice(i, 1); };
    EP.toggleAttribute = function (n, force) {
        var has = this.hasAttribute(n), want = force === undefined ? !has : !!force;
        if (want && !has) this.setAttribute(n, ""); else if (!want && has) this.removeAttribute(n);
        return want;
    };
    function reflect(prop, attr, kind) {
        Object.defineProperty(EP, prop, {
            get: function () {
                var v = this.getAttribute(attr);
                if (kind === "bool") return v !== null;
                if (kind === "url") return v === null ? "" : abs(v, G.document.baseURI);
                return v === null ? "" : v;
            },
            set: function (v) {
                if (kind === "bool") { if (v) this.setAttribute(attr, ""); else this.removeAttribute(attr); }
                else this.setAttribute(attr, v);
            }
        });
    }
    reflect("id", "id"); reflect("className", "class"); reflect("type", "type");
    reflect("src", "src", "url"); reflect("href", "href", "url"); reflect("rel", "rel");
    reflect("integrity", "integrity"); reflect("crossOrigin", "crossorigin");
    reflect("defer", "defer", "bool"); reflect("hidden", "hidden", "bool");
    reflect("disabled", "disabled", "bool"); reflect("title", "title"); reflect("name", "name");
    reflect("value", "value");
    /* No noModule, no onbeforeload: this is a browser without module scripts
     * (kiln's Safari 10.1 fix checks for both). */
    Object.defineProperty(EP, "async", {
        get: function () { return this._async === undefined ? !this._parser : this._async; },
        set: function (v) { this._async = !!v; }
    });
    Object.defineProperty(EP, "children", {
        get: function () { return this.childNodes.filter(function (n) { return n.nodeType === 1; }); } });
    Object.defineProperty(EP, "firstChild", { get: function () { return this.childNodes[0] || null; } });
    Object.defineProperty(EP, "lastChild", {
        get: function () { return this.childNodes[this.childNodes.length - 1] || null; } });
    Object.defineProperty(EP, "firstElementChild", { get: function () { return this.children[0] || null; } });
    Object.defineProperty(EP, "parentElement", {
        get: function () { return this.parentNode && this.parentNode.nodeType === 1 ? this.parentNode : null; } });
    Object.defineProperty(EP, "textContent", {
        get: function () {
            var s = "";
            for (var i = 0; i < this.childNodes.length; i++) s += this.childNodes[i].textContent;
            return s;
        },
        set: function (v) { this.replaceChildren(String(v === null || v === undefined ? "" : v)); }
    });
    Object.defineProperty(EP, "text", {
        get: function () { return this.textContent; }, set: function (v) { this.textContent = v; } });
    Object.defineProperty(EP, "innerText", {
        get: function () { return this.textContent; }, set: function (v) { this.textContent = v; } });
    /* Simple markup: elements with quoted or bare attributes, void and
     * self-closed ones, text with the common entities (what the fixtures and
     * the framework sites write; no scripts, comments or raw text). */
    var VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)$/;
    function entities(t) {
        return t.replace(/&(lt|gt|amp|quot|#39|nbsp);/g, function (m, e) {
            return { lt: "<", gt: ">", amp: "&", quot: "\"", "#39": "'", nbsp: "\u00a0" }[e];
        });
    }
    function parseInto(parent, html) {
        var re = /<\/([A-Za-z][\w-]*)\s*>|<([A-Za-z][\w-]*)((?:\s+[^\s=>\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>|([^<]+|<)/g;
        var at = parent, m;
        while ((m = re.exec(html))) {
            if (m[1]) {
                for (var up = at; up && up !== parent; up = up.parentNode)
                    if (up.localName === m[1].toLowerCase()) { at = up.parentNode; break; }
            } else if (m[2]) {
                var el = G.document.createElement(m[2]), a, ar = /([^\s=>\/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
                while ((a = ar.exec(m[3]))) el.setAttribute(a[1], entities(a[2] !== undefined ? a[2] : a[3] !== undefined ? a[3] : a[4] || ""));
                at.appendChild(el);
                if (!m[4] && !VOID.test(el.localName)) at = el;
            } else {
                at.appendChild(G.document.createTextNode(entities(m[5])));
            }
        }
    }
    Object.defineProperty(EP, "innerHTML", {
        get: function () { return this.textContent; },
        set: function (v) {
            this.replaceChildren();
            parseInto(this, String(v));
        }
    });
    Object.defineProperty(EP, "classList", {
        get: function () {
            var el = this;
            function list() { return el.className.split(/\s+/).filter(Boolean); }
            return {
                contains: function (c) { return list().indexOf(c) >= 0; },
                add: function () { var l = list(); for (var i = 0; i < arguments.length; i++) if (l.indexOf(arguments[i]) < 0) l.push(arguments[i]); el.className = l.join(" "); },
                remove: function () { var a = [].slice.call(arguments); el.className = list().filter(function (c) { return a.indexOf(c) < 0; }).join(" "); },
                toggle: function (c, f) { var has = list().indexOf(c) >= 0, want = f === undefined ? !has : !!f; if (want) this.add(c); else this.remove(c); return want; }
            };
        }
    });
    Object.defineProperty(EP, "dataset", {
        get: function () {
            var el = this;
            function attr(k) { return "data-" + String(k).replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); }); }
            return new Proxy({}, {
                get: function (t, k) { var v = el.getAttribute(attr(k)); return v === null ? undefined : v; },
                set: function (t, k, v) { el.setAttribute(attr(k), v); return true; },
                has: function (t, k) { return el.hasAttribute(attr(k)); },
                deleteProperty: function (t, k) { el.removeAttribute(attr(k)); return true; }
            });
        }
    });
    function connected(n) {
        while (n && n !== G.document) n = n.parentNode;
        return !!n;
    }
    function toNode(x) { return x instanceof Node_ ? x : new Text_(x); }
    function detach(n) {
        if (n.parentNode) {
            var c = n.parentNode.childNodes, i = c.indexOf(n);
            if (i >= 0) c.splice(i, 1);
            n.parentNode = null;
        }
    }
    EP.insertBefore = function (n, ref) {
        if (n.nodeType === 11) {
            var kids = n.childNodes.slice();
            for (var k = 0; k < kids.length; k++) this.insertBefore(kids[k], ref);
            return n;
        }
        detach(n);
        var i = ref ? this.childNodes.indexOf(ref) : -1;
        if (i < 0) this.childNodes.push(n); else this.childNodes.splice(i, 0, n);
        n.parentNode = this;
        if (connected(this)) inserted(n);
        return n;
    };
    EP.appendChild = function (n) { return this.insertBefore(n, null); };
    EP.removeChild = function (n) { detach(n); return n; };
    EP.remove = Text_.prototype.remove = function () { detach(this); };
    EP.append = function () {
        for (var i = 0; i < arguments.length; i++) this.appendChild(toNode(arguments[i]));
    };
    EP.prepend = function () {
        var first = this.childNodes[0] || null;
        for (var i = 0; i < arguments.length; i++) this.insertBefore(toNode(arguments[i]), first);
    };
    EP.replaceChildren = function () {
        while (this.childNodes.length) detach(this.childNodes[0]);
        this.append.apply(this, arguments);
    };
    EP.cloneNode = function (deep) {
        var c = new Element_(this.tagName, this.namespaceURI === "http://www.w3.org/1999/xhtml" ? undefined : this.namespaceURI);
        c.attributes = this.attributes.map(function (a) { return { name: a.name, value: a.value }; });
        if (deep) for (var i = 0; i < this.childNodes.length; i++)
            c.appendChild(this.childNodes[i].nodeType === 1 ? this.childNodes[i].cloneNode(true) : new Text_(this.childNodes[i].data));
        return c;
    };
    EP.click = function () { fire(this, "click", true); };
    EP.focus = EP.blur = function () {};
    EP.getBoundingClientRect = function () { return { top: 0, left: 0, width: 0, height: 0, right: 0, bottom: 0 }; };

    /* ---- selectors: tag, #id, .class, [attr], [attr="v"], *, descendant
     * and child combinators, comma lists. Enough for pages, not CSS. */
    function compound(s) {
        var parts = [], re = /([a-zA-Z*][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)\s*(?:([~^$*|]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*\]/g, m, at = 0;
        while ((m = re.exec(s)) && m.index === at) {
            at = re.lastIndex;
            parts.push(m);
        }
        if (at !== s.length) throw new Error("dom_shim: unsupported selector " + JSON.stringify(s));
        return function (el) {
            for (var i = 0; i < parts.length; i++) {
                var p = parts[i];
                if (p[1] && p[1] !== "*" && el.localName !== p[1].toLowerCase()) return false;
                if (p[2] && el.getAttribute("id") !== p[2]) return false;
                if (p[3] && (" " + el.className + " ").replace(/\s+/g, " ").indexOf(" " + p[3] + " ") < 0) return false;
                if (p[4]) {
                    var v = el.getAttribute(p[4]);
                    if (v === null) return false;
                    var want = p[6] !== undefined ? p[6] : p[7] !== undefined ? p[7] : p[8];
                    if (p[5] === "=" && v !== want) return false;
                    if (p[5] === "^=" && v.indexOf(want) !== 0) return false;
                    if (p[5] === "*=" && v.indexOf(want) < 0) return false;
                    if (p[5] === "~=" && (" " + v + " ").indexOf(" " + want + " ") < 0) return false;
                }
            }
            return true;
        };
    }
    function compile(sel) {
        return String(sel).split(",").map(function (one) {
            var toks = one.replace(/\s*>\s*/g, " > ").trim().split(/\s+/), chain = [];
            for (var i = 0; i < toks.length; i++) {
                if (toks[i] === ">") chain.push(">");
                else chain.push(compound(toks[i]));
            }
            return function (el) { return matchChain(el, chain, chain.length - 1); };
        });
    }
    function matchChain(el, chain, i) {
        if (!chain[i](el)) return false;
        if (i === 0) return true;
        if (chain[i - 1] === ">") {
            var p = el.parentNode;
            return !!(p && p.nodeType === 1 && matchChain(p, chain, i - 2));
        }
        for (var a = el.parentNode; a && a.nodeType === 1; a = a.parentNode)
            if (matchChain(a, chain, i - 1)) return true;
        return false;
    }
    function walk(root, fn) {
        for (var i = 0; i < root.childNodes.length; i++) {
            var c = root.childNodes[i];
            if (c.nodeType === 1) { if (fn(c) === false) return false; if (walk(c, fn) === false) return false; }
        }
        return true;
    }
    function qsa(root, sel) {
        var fs = compile(sel), found = [];
        walk(root, function (el) {
            for (var i = 0; i < fs.length; i++) if (fs[i](el)) { found.push(el); return; }
        });
        return found;
    }
    EP.querySelectorAll = function (s) { return qsa(this, s); };
    EP.querySelector = function (s) { return qsa(this, s)[0] || null; };
    EP.getElementsByTagName = function (t) { return qsa(this, t); };
    EP.matches = function (s) { var fs = compile(s); for (var i = 0; i < fs.length; i++) if (fs[i](this)) return true; return false; };
    EP.closest = function (s) { for (var e = this; e && e.nodeType === 1; e = e.parentNode) if (e.matches(s)) return e; return null; };

    /* ---- the document ----------------------------------------------------- */
    function Document_() {
        this.nodeType = 9;
        this.childNodes = [];
        this.readyState = "loading";
        this.currentScript = null;
        this.cookie = "";
    }
    Document_.prototype = Object.create(Node_.prototype);
    var DP = Document_.prototype;
    ["insertBefore", "appendChild", "removeChild", "append", "querySelector", "querySelectorAll",
     "getElementsByTagName", "replaceChildren"].forEach(function (k) { DP[k] = EP[k]; });
    DP.createElement = function (t) {
        var el = new Element_(t), C = typeof defined === "object" && defined[el.localName];
        if (C) { Object.setPrototypeOf(el, C.prototype); el._upgraded = true; }
        return el;
    };
    DP.createElementNS = function (ns, t) { return new Element_(t, ns); };
    DP.createTextNode = function (t) { return new Text_(t); };
    DP.createDocumentFragment = function () { var f = new Element_("#fragment"); f.nodeType = 11; return f; };
    DP.createEvent = function () { var e = new Event_(""); e.initEvent = function (t, b) { this.type = t; this.bubbles = b; }; return e; };
    DP.getElementById = function (id) {
        var hit = null;
        walk(this, function (el) { if (el.getAttribute("id") === id) { hit = el; return false; } });
        return hit;
    };
    DP.hasFocus = function () { return false; };
    Object.defineProperty(DP, "documentElement", { get: function () { return this.querySelector("html"); } });
    Object.defineProperty(DP, "head", { get: function () { return this.querySelector("head"); } });
    Object.defineProperty(DP, "body", { get: function () { return this.querySelector("body"); } });
    Object.defineProperty(DP, "textContent", { get: function () { return null; } });
    Object.defineProperty(DP, "baseURI", {
        get: function () {
            var b = this.querySelector("base[href]");
            return b ? abs(b.getAttribute("href")) : H.origin + H.page;
        }
    });
    Object.defineProperty(DP, "title", {
        get: function () { var t = this.querySelector("title"); return t ? t.textContent.replace(/\s+/g, " ").trim() : ""; },
        set: function (v) { var t = this.querySelector("title"); if (t) t.textContent = v; }
    });
    var doc = G.document = new Document_();

    function build(parent, node) {
        if (typeof node === "string") { parent.childNodes.push(new Text_(node)); parent.childNodes[parent.childNodes.length - 1].parentNode = parent; return; }
        var el = new Element_(node[0]);
        for (var i = 0; i < node[1].length; i++) el.attributes.push({ name: node[1][i][0], value: node[1][i][1] });
        el._parser = true;
        el.parentNode = parent;
        parent.childNodes.push(el);
        for (var k = 0; k < node[2].length; k++) build(el, node[2][k]);
    }
    for (var t = 0; t < H.tree.length; t++) build(doc, H.tree[t]);

    /* ---- scripts ---------------------------------------------------------- */
    function isModule(el) { return String(el.getAttribute("type") || "").trim().toLowerCase() === "module"; }
    /* A classic script by the HTML spec's list; any other type is data. */
    function isClassic(el) {
        var ty = el.getAttribute("type"), lang = el.getAttribute("language");
        if (ty === null || ty === "") return lang === null || lang === "" || /^javascript$/i.test(lang);
        return /^\s*(text|application)\/(x-)?(java|ecma)script\s*$/i.test(ty);
    }
    function evalIn(el, text, url) {
        var prev = doc.currentScript;
        doc.currentScript = el;
        try {
            if (H.evalScript) H.evalScript(text, url);
            else (0, eval)(text);
        } catch (e) {
            report(url, e);
        } finally {
            doc.currentScript = prev;
        }
    }
    function runExternal(el, done) {
        var url = el.src, text = file(url);
        loaded.push(url);
        if (text === undefined) {
            print("script not found: " + url);
            fire(el, "error");
        } else {
            evalIn(el, text, url);
            fire(el, "load");
        }
        if (done) done();
    }
    /* A script element connected by a script (not the parser). */
    var onInsert = function () {};
    function inserted(n) {
        if (n.nodeType !== 1) return;
        onInsert(n);
        if (n.localName !== "script") {
            for (var i = 0; i < n.childNodes.length; i++) inserted(n.childNodes[i]);
            return;
        }
        if (n._parser || n._started) return;
        if (isModule(n)) {
            if (H.mode !== "legacy" && H.module) { n._started = true; H.module(n, n.hasAttribute("src") ? n.src : null, n.textContent); }
            return;
        }
        if (!isClassic(n)) return;
        n._started = true;
        if (n.hasAttribute("src")) addTask(0, function () { runExternal(n); });
        else evalIn(n, n.textContent, H.origin + H.page + " (inline script)");
    }

    /* Parsing, as one task: classic scripts in order (nomodule ones only in
     * legacy mode), then deferred ones (and modules, modern mode), then
     * DOMContentLoaded, and load once the tasks queued by then have run. */
    function parse() {
        var deferred = [];
        walk(doc, function (el) {
            if (el.localName !== "script") return;
            el._started = true;
            var src = el.hasAttribute("src"), nomod = el.hasAttribute("nomodule");
            if (isModule(el)) {
                if (H.mode !== "legacy" && H.module) deferred.push(el);
                return;
            }
            if (!isClassic(el) || (nomod && H.mode !== "legacy")) return;
            if (src && (el.hasAttribute("defer") || el.hasAttribute("async"))) deferred.push(el);
            else if (src) runExternal(el);
            else evalIn(el, el.textContent, H.origin + H.page + " (inline script)");
        });
        doc.readyState = "interactive";
        deferred.forEach(function (el) {
            if (isModule(el)) H.module(el, el.hasAttribute("src") ? el.src : null, el.textContent);
            else runExternal(el);
        });
        addTask(0, function () {
            fire(doc, "readystatechange");
            fire(doc, "DOMContentLoaded", true);
            addTask(0, function () {
                doc.readyState = "complete";
                fire(doc, "readystatechange");
                fire(G, "load");
            });
        });
    }

    /* ---- the rest of window ----------------------------------------------- */
    G.window = G.self = G.globalThis = G;
    G.top = G.parent = G;
    var WP = Target.prototype;
    G.addEventListener = WP.addEventListener;
    G.removeEventListener = WP.removeEventListener;
    G.dispatchEvent = WP.dispatchEvent;
    G.location = new URL_(H.origin + H.page);
    G.location.assign = G.location.replace = G.location.reload = function () {};
    G.history = { length: 1, state: null, pushState: function () {}, replaceState: function () {} };
    G.navigator = { userAgent: "Mozilla/5.0 (kiln dom_shim)", language: "en-IE", languages: ["en-IE"], onLine: true };
    G.matchMedia = function (q) {
        return { media: q, matches: false, addListener: function () {}, removeListener: function () {},
                 addEventListener: function () {}, removeEventListener: function () {} };
    };
    function Storage_() { this._d = {}; }
    Storage_.prototype.getItem = function (k) { return Object.prototype.hasOwnProperty.call(this._d, k) ? this._d[k] : null; };
    Storage_.prototype.setItem = function (k, v) { this._d[k] = String(v); };
    Storage_.prototype.removeItem = function (k) { delete this._d[k]; };
    Storage_.prototype.clear = function () { this._d = {}; };
    G.localStorage = new Storage_();
    G.sessionStorage = new Storage_();
    G.getComputedStyle = function () { return {}; };
    G.scrollTo = function () {};
    G.console = {
        log: function () { out("log", arguments); },
        info: function () { out("info", arguments); },
        debug: function () { out("debug", arguments); },
        warn: function () { out("warn", arguments); },
        error: function () { out("error", arguments); }
    };
    /* IE 11 had MutationObserver (Vite's modulepreload polyfill makes one);
     * this one never reports (nothing here inserts nodes it would watch). */
    if (typeof G.MutationObserver !== "function") {
        G.MutationObserver = function (cb) {
            this.observe = function () {};
            this.disconnect = function () {};
            this.takeRecords = function () { return []; };
        };
    }
    /* IE 11 had Intl: a small one where the engine has none (Duktape). */
    if (typeof G.Intl !== "object") {
        var SYM = { EUR: "\u20ac", GBP: "\u00a3", USD: "$" };
        G.Intl = { NumberFormat: function (loc, o) {
            o = o || {};
            this.format = function (n) {
                var d = o.style === "currency" ? 2 : o.maximumFractionDigits;
                var s = d === undefined ? String(Math.round(n * 1000) / 1000) : Number(n).toFixed(d);
                var p = s.split("."), i = p[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
                s = p[1] ? i + "." + p[1] : i;
                return o.style === "currency" ? (SYM[o.currency] || o.currency + "\u00a0") + s : s;
            };
        } };
        /* Duktape's toLocaleString takes no locale (it throws RangeError for
         * one); IE 11's formats with Intl. */
        Number.prototype.toLocaleString = function (loc, o) {
            return new G.Intl.NumberFormat(loc, o).format(Number(this));
        };
    }
    /* fetch: from the files table, in a later task; needs a Promise. */
    G.fetch = function (input) {
        if (typeof G.Promise !== "function") throw new TypeError("fetch: no Promise in this engine (a polyfill missing?)");
        var url = abs(String(input && input.url ? input.url : input), doc.baseURI);
        return new G.Promise(function (res, rej) {
            addTask(0, function () {
                var text = file(url);
                if (pathOf(url) === null) { rej(new TypeError("Failed to fetch " + url)); return; }
                var ok = text !== undefined;
                res({
                    ok: ok, status: ok ? 200 : 404, statusText: ok ? "OK" : "Not Found", url: url,
                    headers: { get: function () { return null; } },
                    text: function () { return G.Promise.resolve(ok ? text : ""); },
                    json: function () { return new G.Promise(function (r) { r(JSON.parse(text)); }); }
                });
            });
        });
    };

    /* Custom elements, where module browsers have them (IE 11 has none):
     * define() upgrades the elements already there (their prototype only:
     * no constructor runs on an upgrade) and connectedCallback runs on
     * upgrade and on insertion. */
    var defined = {};
    function upgrade(el) {
        var C = defined[el.localName];
        if (!C || el._upgraded) return;
        el._upgraded = true;
        Object.setPrototypeOf(el, C.prototype);
        if (typeof el.connectedCallback === "function" && connected(el)) {
            try { el.connectedCallback(); } catch (e) { report("connectedCallback", e); }
        }
    }
    if (H.mode !== "legacy") {
        G.customElements = {
            define: function (name, C) {
                defined[name] = C;
                qsa(doc, name).forEach(upgrade);
            },
            get: function (name) { return defined[name]; }
        };
    }
    onInsert = upgrade;

    /* DOMParser for text/html: a small tokenizer (tags, attributes, raw
     * text of script and style, comments), enough for a fetched page. */
    var VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)$/;
    function parseHTML(text) {
        var root = new Document_(), stack = [root], i = 0, m;
        var tagRe = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s\/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/;
        var attrRe = /([^\s\/>"'=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
        function top() { return stack[stack.length - 1]; }
        function addText(t) { if (t) { var n = new Text_(t); n.parentNode = top(); top().childNodes.push(n); } }
        while (i < text.length) {
            var lt = text.indexOf("<", i);
            if (lt < 0) { addText(text.slice(i)); break; }
            addText(text.slice(i, lt));
            var rest = text.slice(lt);
            if (rest.slice(0, 4) === "<!--") { var e = text.indexOf("-->", lt + 4); i = e < 0 ? text.length : e + 3; continue; }
            if (rest.charAt(1) === "!" || rest.charAt(1) === "?") { var g = text.indexOf(">", lt); i = g < 0 ? text.length : g + 1; continue; }
            m = tagRe.exec(rest);
            if (!m) { addText("<"); i = lt + 1; continue; }
            i = lt + m[0].length;
            var name = m[2].toLowerCase();
            if (m[1]) {
                for (var k = stack.length - 1; k > 0; k--) if (stack[k].localName === name) { stack.length = k; break; }
                continue;
            }
            var el = new Element_(name), a;
            el._parser = true;
            attrRe.lastIndex = 0;
            while ((a = attrRe.exec(m[3]))) el.attributes.push({ name: a[1].toLowerCase(), value: a[2] !== undefined ? a[2] : a[3] !== undefined ? a[3] : a[4] !== undefined ? a[4] : "" });
            el.parentNode = top();
            top().childNodes.push(el);
            if (name === "script" || name === "style") {
                var close = text.toLowerCase().indexOf("</" + name, i);
                if (close < 0) close = text.length;
                addText.call(null, "");
                var tn = new Text_(text.slice(i, close)); tn.parentNode = el; el.childNodes.push(tn);
                var gt = text.indexOf(">", close);
                i = gt < 0 ? text.length : gt + 1;
            } else if (!VOID.test(name) && !m[4]) {
                stack.push(el);
            }
        }
        return root;
    }
    G.DOMParser = function () {};
    G.DOMParser.prototype.parseFromString = function (text) { return parseHTML(String(text)); };

    G.__kiln = {
        start: function () { addTask(0, parse); },
        step: step,
        /* The page's i-th action (run_page's actions: selectors clicked in
         * turn once the page has settled); false when there is none. */
        act: function (i) {
            var sel = (H.actions || [])[i];
            if (sel === undefined) return false;
            var el = doc.querySelector(sel);
            if (el) el.click(); else print("action: no " + sel);
            return true;
        },
        clock: function () { return clock; },
        /* For hosts: report an error of their own (a module's, in Node). */
        report: report,
        state: function () {
            var html = doc.documentElement, outEl = doc.getElementById("out"), b = doc.body;
            /* What a reader sees, as innerText: no script, style or template text. */
            function shown(n) {
                if (n.nodeType === 3) return n.data;
                if (/^(script|style|template)$/.test(n.localName)) return "";
                var s = "";
                for (var i = 0; i < n.childNodes.length; i++) s += shown(n.childNodes[i]);
                return s;
            }
            function texts(sel) { return qsa(doc, sel).map(function (e) { return e.textContent.replace(/\s+/g, " ").trim(); }); }
            return {
                log: G.__log === undefined ? null : G.__log,
                done: G.__done === true,
                title: doc.title,
                out: outEl ? outEl.textContent : null,
                text: b ? shown(b).replace(/\s+/g, " ").trim() : "",
                theme: html ? html.getAttribute("data-theme") : null,
                js: html ? html.getAttribute("data-js") : null,
                year: texts("[data-year]"),
                console: logs,
                errors: errors,
                scripts: loaded,
                clock: clock
            };
        }
    };
})(this);
