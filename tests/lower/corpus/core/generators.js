// Generator return/throw, finally blocks, yield*, delegation of return values.
function* g() {
  try {
    const a = yield 1;
    console.log("got", a);
    yield 2;
  } finally {
    console.log("cleanup");
  }
}
let it = g();
console.log(JSON.stringify(it.next()));
console.log(JSON.stringify(it.next("A")));
console.log(JSON.stringify(it.return("R")));
console.log(JSON.stringify(it.next()));
it = g();
it.next();
try { it.throw(new Error("T")); } catch (e) { console.log("caught", e.message); }
function* inner() { yield "i1"; return "inner done"; }
function* outer() { const r = yield* inner(); yield r; }
console.log([...outer()].join(","));
function* catcher() { while (true) { try { yield "wait"; } catch (e) { console.log("handled", e); } } }
const c = catcher();
c.next();
console.log(JSON.stringify(c.throw("x")));
function* fib() { let [a, b] = [0, 1]; for (;;) { yield a; [a, b] = [b, a + b]; } }
const out = [];
for (const n of fib()) { if (n > 20) break; out.push(n); }
console.log(out.join(" "));
