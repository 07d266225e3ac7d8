// import * and import() of one module give one object.
import * as ns from './x.js';
import { inner } from './hub.js';
__log.push('static ' + Object.keys(ns).join(',') + ' ' + ns.count);
ns.bump();
const again = await import('./x.js');
__log.push('same object ' + (ns === again) + ' count ' + again.count);
const hub = await import('./hub.js');
__log.push('re-exported namespace is it too ' + (hub.inner === ns) + ' ' + (inner === ns));
__log.push('hub keys ' + Object.keys(hub).join(','));
window.__done = true;
