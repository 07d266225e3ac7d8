// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// super in code that leaves the class body: static initializers, static
// blocks and private methods still reach the parent, with `this` kept.
class Parent {
    static base = "P";
    static who() {
        return "parent static " + this.name;
    }
    get kind() {
        return "parent kind of " + this.tag;
    }
    greet(x) {
        return "parent greet " + x + " " + this.tag;
    }
}
class Child extends Parent {
    static base = super.base + "C";
    static told = super.who();
    static {
        this.fromBlock = super.who() + " / " + super["base"];
    }
    tag = "child";
    #hello(x) {
        return super.greet(x) + " via #hello, " + super.kind;
    }
    static #s() {
        return super.who();
    }
    run() {
        return [this.#hello(1), Child.#s()].join(" | ");
    }
}
console.log(Child.base, Child.told, Child.fromBlock);
console.log(new Child().run());
const Expr = class extends Parent {
    static arrow = () => super.who();
    tag = "expr";
    #k() {
        return super.kind;
    }
    k() {
        return this.#k();
    }
};
console.log(Expr.arrow(), new Expr().k());
