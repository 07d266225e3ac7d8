// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Public and private fields, private methods and accessors, static members.
class Base {
    constructor(tag) {
        this.tag = tag;
    }
    set shadowed(v) {
        console.log("setter called", v);
    }
}
class Point extends Base {
    x = 1;
    y = this.x + 1;
    shadowed = "own";
    #secret = 42;
    static count = 0;
    static #made = 0;
    constructor(tag, z) {
        super(tag);
        this.z = z;
        Point.count++;
        Point.#made += 1;
    }
    #twice(v) {
        return v * 2;
    }
    get #doubled() {
        return this.#twice(this.#secret);
    }
    set #doubled(v) {
        this.#secret = v / 2;
    }
    describe() {
        this.#doubled = 10;
        this.#secret++;
        ++this.#secret;
        this.#secret += 3;
        return [this.x, this.y, this.z, this.tag, this.#secret, this.#doubled].join(",");
    }
    static made() {
        return Point.#made;
    }
    static has(o) {
        return #secret in o;
    }
}
const p = new Point("t", 9);
console.log(p.describe());
console.log(Object.keys(p).join(","));
console.log(Object.getOwnPropertyDescriptor(p, "shadowed").value);
new Point("u", 1);
console.log(Point.count, Point.made(), Point.has(p), Point.has({}));
try {
    Point.prototype.describe.call({});
} catch (e) {
    console.log(e.constructor.name);
}
try {
    Point.has(1);
} catch (e) {
    console.log(e.constructor.name);
}
