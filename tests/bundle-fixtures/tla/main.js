import { value } from './dep.js';
__log.push('main before await ' + value);
const v = await new Promise((r) => setTimeout(() => r('resolved'), 10));
__log.push('main after await ' + v);
for await (const x of [Promise.resolve(1), 2]) __log.push('for await ' + x);
window.__done = true;
