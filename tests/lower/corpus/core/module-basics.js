// module
// A module: strict by default, import.meta.url, this undefined, exports.
console.log(typeof import.meta.url, this === undefined);
try { undeclared = 1; } catch (e) { console.log(e instanceof ReferenceError); }
export const x = 1;
export default class { static y = x ?? 2; }
console.log(x);
