import { a } from './cyc-a.js';
export const B = 'b';
export let count = 0;
const cache = new Map();
export function b() {
  count++;
  cache.set(count, a.name);
  return B + count + cache.size;
}
export default function () {
  return 'default b';
}
