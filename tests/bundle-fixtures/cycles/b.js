import { helloA, a } from './a.js';
// a.js has not run yet: its function is hoisted, its let is in TDZ.
let tdz;
try { tdz = a; } catch (e) { tdz = e.name; }
__log.push('b runs: ' + helloA() + ' ' + tdz);
export const b = 'B';
export function fromB() { return 'fromB sees ' + a; }
