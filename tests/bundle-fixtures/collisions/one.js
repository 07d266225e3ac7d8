export const name = 'one';
export function helper() { return 'one helper of ' + name; }
export class Thing { who() { return 'Thing one ' + (Thing === this.constructor); } }
