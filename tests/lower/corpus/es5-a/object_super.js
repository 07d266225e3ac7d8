// super in object literal methods: calls and reads get the caller's this,
// assignments define on this, getters and setters, nested functions.
var log = function (x) { console.log(typeof x === "string" ? x : JSON.stringify(x)); };
var base = {
    name: "base",
    greet: function (p) { return "hello " + p + " from " + this.name; },
    get who() { return "who:" + this.name; },
    set val(v) { this._val = "set:" + v; },
    count: 1
};
var derived = {
    __proto__: base,
    name: "derived",
    greet(p) { return super.greet(p) + "!"; },
    get who() { return "[" + super.who + "]"; },
    setVal(v) { super.val = v; return this._val; },
    setCount() { super.count = 5; return [this.count, base.count, Object.keys(this).indexOf("count") >= 0]; },
    bump() { super.count += 10; return [this.count, base.count]; },
    inc() { var old = super.count++; return [old, this.count]; },
    computed(k) { return super[k]; },
    missing() { return super.nothing; },
    later() { var self = this; return function () { return self.name; }(); }
};
log(derived.greet("x"));
log(derived.who);
log(derived.setVal(3));
log(derived.setCount());
log(derived.bump());
log(derived.inc());
log(derived.computed("name"));
log(derived.missing() === undefined);
log(derived.later());
var other = { name: "other", __proto__: derived };
log(other.greet("y"));
log(derived.greet.call({ name: "borrowed" }, "z"));
var swap = { hi() { return "A"; } };
var child = { __proto__: swap, hi() { return "child+" + super.hi(); } };
log(child.hi());
Object.setPrototypeOf(child, { hi: function () { return "B"; } });
log(child.hi());
var withComputed = { __proto__: base, ["greet"](p) { return "c:" + super.greet(p); } };
log(withComputed.greet("w"));
