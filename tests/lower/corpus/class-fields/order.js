// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Computed keys are evaluated once, in textual order with method keys, when
// the class is defined; static elements then run in order; instance fields
// at construction, in order, after private methods are installed.
const log = [];
function k(name) {
    log.push("key " + name);
    return name;
}
function v(name, value) {
    log.push("init " + name);
    return value;
}
const keyObj = {
    toString() {
        log.push("toString");
        return "fromObject";
    },
};
class A {
    [k("a")] = v("a", 1);
    static [k("s1")] = v("s1", 2);
    [k("m")]() {
        return "m";
    }
    b = v("b", 3);
    static {
        log.push("block 1 " + this.s1);
    }
    [keyObj] = v("obj", 4);
    static [k("s2")] = v("s2", this.s1 + 1);
    static {
        log.push("block 2 " + this.s2);
    }
    [k("last")] = v("last", 5);
}
log.push("defined");
const a = new A();
log.push("constructed");
const b = new A();
console.log(log.join("\n"));
console.log(JSON.stringify(a), b.m(), A.s1, A.s2);
console.log(Object.keys(a).join(","));
