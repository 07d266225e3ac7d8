import { a, callB } from './a.js';
__log.push('main ' + a + ' ' + callB());
window.__done = true;
