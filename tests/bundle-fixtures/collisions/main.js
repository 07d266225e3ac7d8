import { name as n1, helper as h1, Thing as T1 } from './one.js';
import { name as n2, helper as h2, Thing as T2 } from './two.js';
const name = 'main';
function helper() { return 'main helper'; }
__log.push([name, n1, n2].join(' '));
__log.push([helper(), h1(), h2()].join(' | '));
__log.push([helper.name, h1.name, h2.name, T1.name, T2.name].join(' '));
__log.push(new T1().who() + ' ' + new T2().who());
window.__done = true;
