// Renaming in the places a splicer can get wrong.
import { value as v, pair, first, Counter, later, loadData } from './lib/util.js';
import * as util from './lib/util.js';
const value = 'main value';
const first2 = 'main first';
const obj = { v, value, pair };            // shorthand with an import and a local
const { a = v, b: [c] = [later()] } = {};  // defaults referring to imports
__log.push(JSON.stringify(obj) + ' ' + a + ' ' + c);
__log.push(typeof v + ' ' + typeof util.nope + ' ' + first + ' ' + first2);
__log.push(Counter.make().count + ' ' + Counter.name + ' ' + (Counter.self() === Counter));
__log.push(Object.keys(util).join(','));
__log.push(await loadData());
window.__done = true;
