__log.push('x evaluates');
export let count = 1;
export function bump() { count++; }
