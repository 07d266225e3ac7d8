import bumpAll, { n, s, pair, flag, alias, alias2, loop, Box, later } from './state.js';
const show = (w) => __log.push(`${w}: n=${n} s=${s} pair=${pair} flag=${flag} alias=${alias},${alias2} later=${later}`);
show('start');
__log.push('bumpAll returned ' + bumpAll());
show('after bump');
loop();
show('after loop');
Box.count++;
__log.push('Box ' + Box.name + ' ' + Box.count);
import('./lazy.js').then((m) => {
  __log.push('lazy ' + m.seen + ' ' + m.lazyN + ' ' + Object.keys(m).join('|'));
  window.__done = true;
});
