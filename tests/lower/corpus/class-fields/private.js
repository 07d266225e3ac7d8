// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Private fields, methods, accessors and static privates: reads, writes,
// compound assignment, update, destructuring targets, calls keeping
// `this`, brand checks and `#x in o`.
class Box {
    #value;
    #log = [];
    static #instances = 0;
    constructor(v) {
        this.#value = v;
        Box.#instances++;
    }
    #record(what) {
        this.#log.push(what + ":" + this.#value);
        return this;
    }
    get #double() {
        return this.#value * 2;
    }
    set #double(v) {
        this.#value = v / 2;
    }
    get #readOnly() {
        return "ro";
    }
    set #writeOnly(v) {
        this.#log.push("wo " + v);
    }
    static #reset(box) {
        box.#value = 0;
    }
    run() {
        this.#record("start");
        this.#value += 5;
        this.#value *= 2;
        const old = this.#value++;
        const now = ++this.#value;
        this.#double = 100;
        const d = this.#double;
        [this.#value] = [42];
        ({ v: this.#value } = { v: 43 });
        for (this.#value of [44, 45]) this.#record("loop");
        this.#writeOnly = "x";
        this.#record("end").#record("chained");
        const fn = this.#record;
        fn.call(this, "via call");
        Box.#reset(this);
        return [old, now, d, this.#value, this.#readOnly, Box.#instances].join(" ") + " | " + this.#log.join(",");
    }
    tryWrites() {
        const out = [];
        for (const f of [
            () => (this.#readOnly = 1),
            () => this.#writeOnly,
            () => (this.#record = 1),
            () => Box.#reset({}),
            () => Box.prototype.run.call({}),
        ]) {
            try {
                f();
                out.push("no error");
            } catch (e) {
                out.push(e.constructor.name);
            }
        }
        return out.join(",");
    }
    static brands(o) {
        return [#value in o, #record in o, #double in o, #instances in o].join(",");
    }
}
const box = new Box(1);
console.log(box.run());
console.log(box.tryWrites());
console.log(Box.brands(box), Box.brands({}), Box.brands(Box));
for (const bad of [1, "s", null, undefined]) {
    try {
        Box.brands(bad);
    } catch (e) {
        console.log("in", String(bad), e.constructor.name);
    }
}
class Str {
    #s = "5";
    inc() {
        const old = this.#s++;
        return [typeof old, old, this.#s].join(",");
    }
}
console.log(new Str().inc());
