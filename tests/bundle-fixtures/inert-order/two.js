// two.js enters the cycle from cyc-b.js, main.js from cyc-a.js: the two
// orders differ, and one shared chunk has one order.
import bdef, { b, count } from './cyc-b.js';
__log.push('two ' + b() + ' ' + count + ' ' + bdef());
