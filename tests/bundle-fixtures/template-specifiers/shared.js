__log.push('shared evaluates');
export const state = { n: 0 };
export function bump() { state.n++; }
