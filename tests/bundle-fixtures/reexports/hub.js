export * from './star1.js';
export * from './star2.js';
export { x, y as renamed } from './leaf.js';
export * as ns from './leaf.js';
export { default as def } from './leaf.js';
import { y } from './leaf.js';
export { y };
