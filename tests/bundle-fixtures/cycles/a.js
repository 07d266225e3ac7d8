import { b, fromB } from './b.js';
__log.push('a runs, b = ' + b);
export let a = 'A';
export function helloA() { return 'helloA'; }
export function callB() { return fromB(); }
