// Compound, exponent and logical assignment to private fields and
// accessors: the target is read once, the value only when needed.
const log = [];
class Acc {
    #v = 0;
    #hits = 0;
    get #both() {
        log.push("get " + this.#v);
        return this.#v;
    }
    set #both(x) {
        log.push("set " + x);
        this.#v = x;
    }
    static #s = null;
    run() {
        this.#v += 2;
        this.#v **= 3;
        this.#v ||= (log.push("not evaluated"), 1);
        this.#hits ||= (log.push("hits"), 5);
        this.#v &&= this.#v + 1;
        this.#both ??= (log.push("not evaluated"), 2);
        this.#both -= 4;
        Acc.#s ??= "static set";
        Acc.#s ??= "not again";
        return [this.#v, this.#hits, Acc.#s].join(",");
    }
}
console.log(new Acc().run());
console.log(log.join(" | "));
