export const name = 'two';
export function helper(x) { const name = 'inner'; return 'two helper ' + name; }
export class Thing { who() { return 'Thing two'; } }
