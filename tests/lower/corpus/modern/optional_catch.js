// Optional catch binding.
var unused = "outer";
try {
    throw new Error("boom");
} catch {
    console.log("caught without a binding", unused);
}
function f() {
    try {
        return JSON.parse("{");
    } catch {
        return "fallback";
    } finally {
        console.log("finally");
    }
}
console.log(f());
for (var i = 0; i < 2; i++) {
    try {
        if (i) throw i;
        console.log("no throw", i);
    } catch {
        console.log("threw", i);
        continue;
    }
}
