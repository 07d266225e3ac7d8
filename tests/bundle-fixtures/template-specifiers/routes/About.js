import { state, bump } from '../shared.js';
__log.push('about evaluates, n = ' + state.n);
export default function about() { bump(); return 'n = ' + state.n; }
