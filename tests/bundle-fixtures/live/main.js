import { count, inc, reset } from './counter.js';
import * as c from './counter.js';
__log.push('count ' + count);
inc(); inc();
__log.push('after inc ' + count + ' ns ' + c.count);
reset();
__log.push('after reset ' + count);
window.__done = true;
