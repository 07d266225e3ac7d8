// module
// targets: es2022 baseline
// Top-level await (ES2022: nothing lowers it; older targets are a build error).
const waited = await Promise.resolve("tla");
console.log(waited);
for await (const v of [Promise.resolve(1), 2]) console.log("for await", v);
