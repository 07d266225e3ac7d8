// main.js runs setup.js (an effect) before the shared cycle; bundled, the
// shared chunk runs first, which nobody can observe: the cycle's modules
// only create bindings.
import './setup.js';
import { a, table, Thing } from './cyc-a.js';
__log.push('main ' + a() + ' ' + table.list.length + ' ' + Thing.kind + ' ' + new Thing().hello());
export const who = 'main';
