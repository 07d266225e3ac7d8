// Tagged templates: one frozen strings object per call site, raw strings.
function tag(s, ...v) { return s; }
const sites = [];
for (let i = 0; i < 2; i++) sites.push(tag`a${i}b`);
console.log(sites[0] === sites[1]);
console.log(tag`a${1}b` === sites[0]);
console.log(Object.isFrozen(sites[0]), Object.isFrozen(sites[0].raw));
console.log(JSON.stringify(sites[0]), JSON.stringify(sites[0].raw));
console.log(String.raw`x\ny${1 + 1}\t`);
const t2 = (s) => s.raw[0];
console.log(t2`\u0041\x41`);
console.log(`plain ${"nested " + `inner ${1 + 1}`} done`);
console.log(`multi
line`);
function same(s) { return s; }
const f = () => same`x`;
console.log(f() === f());
