export * as inner from './x.js';
export const other = 'other';
