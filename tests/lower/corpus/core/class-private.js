// Private fields, methods, accessors, static privates, #x in o, static blocks, field order.
const log = [];
class Counter {
  #n = 0;
  static #made = 0;
  static instances;
  field = (log.push("field init"), "f");
  static { Counter.instances = 0; log.push("static block"); }
  constructor() { log.push("ctor"); Counter.#made++; Counter.instances = Counter.#made; }
  #bump() { return ++this.#n; }
  get #double() { return this.#n * 2; }
  set #value(v) { this.#n = v; }
  inc() { this.#bump(); return this; }
  set(v) { this.#value = v; return this.#double; }
  static isCounter(o) { return #n in o; }
  static made() { return Counter.#made; }
}
const c = new Counter().inc().inc();
console.log(c.set(5), Counter.isCounter(c), Counter.isCounter({}), Counter.made(), Counter.instances);
console.log(log.join(", "));
try { Counter.prototype.inc.call({}); } catch (e) { console.log(e instanceof TypeError); }
class Sub extends Counter { extra = this.set(1); }
console.log(new Sub().extra, Counter.made());
console.log(Object.keys(new Counter()).join(","));
class Shadow { x = 1; static x = 2; ["comp" + "uted"] = 3; }
console.log(new Shadow().x, Shadow.x, new Shadow().computed);
