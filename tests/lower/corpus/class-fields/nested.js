// xfail: es5 the ES5 syntax passes of branch lower-es5-a (spread, parameters, super, destructuring) are not merged yet
// Private names resolve to the innermost class declaring them; an inner
// class reaches the outer class's privates it does not redeclare.
class Outer {
    #x = "outer x";
    #y = "outer y";
    static #count = 0;
    makeInner() {
        const outer = this;
        return new (class Inner {
            #x = "inner x";
            field = outer.#y;
            read(o) {
                return [this.#x, outer.#y, o.#y, Outer.#count].join(" / ");
            }
            shadowed(o) {
                return o.#x; // Inner's #x: an Outer has none
            }
            static check(o) {
                return #x in o;
            }
        })();
    }
    static bump() {
        return ++Outer.#count;
    }
    // The heritage of a nested class is evaluated outside its body.
    makeDerived() {
        const self = this;
        class Base {
            seen = self.#x;
        }
        return new (class extends Base {
            #x = "derived x";
            both() {
                return this.seen + " & " + this.#x;
            }
        })();
    }
}
const o = new Outer();
Outer.bump();
const inner = o.makeInner();
console.log(inner.read(o), inner.field);
console.log(inner.constructor.check(inner), inner.constructor.check(o));
console.log(o.makeDerived().both());
try {
    inner.shadowed(o);
} catch (e) {
    console.log(e.constructor.name);
}
// Fields holding classes with their own privates.
class Registry {
    Entry = class {
        #id;
        constructor(id) {
            this.#id = id;
        }
        id() {
            return this.#id;
        }
    };
}
const r1 = new Registry(), r2 = new Registry();
const e1 = new r1.Entry(1), e2 = new r2.Entry(2);
console.log(e1.id(), e2.id(), r1.Entry === r2.Entry);
try {
    r1.Entry.prototype.id.call(e2);
} catch (e) {
    console.log(e.constructor.name);
}
