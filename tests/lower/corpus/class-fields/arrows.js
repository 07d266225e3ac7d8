// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Arrow functions in initializers capture the instance (or, in static
// initializers, the class) as `this`.
class Counter {
    count = 0;
    inc = () => ++this.count;
    #hidden = () => this.count * 10;
    static label = "Counter";
    static describe = () => this.label + "!";
    static self = this;
    peek() {
        return this.#hidden();
    }
}
const c = new Counter();
const inc = c.inc;
inc();
inc();
console.log(c.count, c.peek(), Counter.describe(), Counter.self === Counter);
class Nested {
    fn = function () {
        return this === undefined ? "undefined this" : typeof this;
    };
    obj = {
        who: "obj",
        get() {
            return this.who;
        },
    };
    target = new.target;
}
const n = new Nested();
console.log(n.fn(), n.obj.get(), n.target);
