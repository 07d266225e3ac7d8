import { x, y, renamed, ns, fromStar, def } from './hub.js';
import * as hub from './hub.js';
__log.push([x, y, renamed, fromStar, def].join(' '));
__log.push('ns keys ' + Object.keys(ns).join(','));
__log.push('hub keys ' + Object.keys(hub).join(','));
__log.push('ambiguous absent ' + !('dup' in hub));
window.__done = true;
