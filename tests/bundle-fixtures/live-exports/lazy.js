import { n, s, alias } from './state.js';
export { n as lazyN } from './state.js';
export const seen = n + '/' + s + '/' + alias;
