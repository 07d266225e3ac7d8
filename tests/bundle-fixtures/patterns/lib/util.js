export const value = 'util value';
export const { pair, nested: { first } = { first: 'default first' } } = { pair: [1, 2] };
export function later() { return hoisted(); }
function hoisted() { return 'hoisted'; }
const value2 = { value };
export class Counter {
  static make() { const c = new Counter(); c.count = value2.value.length; return c; }
  static self() { return Counter; }
}
export async function loadData() {
  const r = await fetch(new URL('../data/d.json', import.meta.url));
  return (await r.json()).msg;
}
