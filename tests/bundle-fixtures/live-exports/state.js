// Every way of writing an exported binding, seen by importers in another
// chunk (state.js is shared with lazy.js, so it is its own chunk): the legacy
// twin must export each new value to its importers' setters.
import * as self from './state.js';
__log.push('own namespace before: ' + ('n' in self));
export let n = 0;
__log.push('own namespace after: ' + self.n);
export let s = 'a', pair = [0, 0], flag = null;
let hidden = 1;
export { hidden as alias, hidden as alias2 };
export default function bumpAll() {
  n++;
  ++n;
  n += 10;
  s += 'b';
  [n, s] = [n * 2, s + 'c'];
  ({ pair } = { pair: [n, s] });
  flag ??= 'set';
  flag &&= flag + '!';
  hidden = n - 1;
  return n--;
}
export function loop() {
  for (n of [7, 8]) __log.push('of ' + n);
  for (s in { k: 1 }) {}
}
export class Box { static count = 0; }
export var later;
later = 'assigned';
