import { state, bump } from './shared.js';
__log.push('lazy evaluates, n = ' + state.n);
export function run() { bump(); return 'n = ' + state.n; }
