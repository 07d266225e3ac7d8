import { b, B } from './cyc-b.js';
export const A = 'a';
export const table = { name: 'table', list: [1, 2, 3], nested: { ok: true, n: -1 } };
export function a() {
  return A + b() + B;
}
export class Thing {
  static kind = 'thing';
  hello() {
    return 'hi ' + A;
  }
}
