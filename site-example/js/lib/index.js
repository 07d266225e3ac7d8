/**
 * Kiln Bakery: the library barrel.
 *
 * Page modules that want "everything" import from here instead of reaching into
 * each file. Only re-exports live in this file, so it costs one extra request
 * and no extra code.
 */
export { formatPrice, formatMinutes, formatWeight, plural, slugify, DAYS } from './format.js';
export * from './dom.js';
export { nextBake as upcomingBake, BAKE_SLOTS } from '../cycle/a.js';
export * as oven from '../cycle/b.js';
