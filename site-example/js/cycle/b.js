/**
 * Kiln Bakery: words for the bake schedule (the other half of the cycle).
 *
 * Imports BAKE_SLOTS and nextBake from a.js, which imports describeSlot from
 * here. Only used inside functions, so evaluation order does not matter.
 */
import { BAKE_SLOTS, nextBake } from './a.js';
import { formatMinutes } from '../lib/format.js';

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'];

/**
 * "the first bake", "the last bake of the day".
 * @param {string} time one of BAKE_SLOTS
 */
export function describeSlot(time) {
  const i = BAKE_SLOTS.indexOf(time);
  if (i < 0) return 'an extra bake';
  if (i === BAKE_SLOTS.length - 1) return 'the last bake of the day';
  return `the ${ORDINALS[i] ?? `#${i + 1}`} bake`;
}

/**
 * A sentence for the status line under the menu.
 * @param {Date} [now]
 */
export function ovenStatus(now = new Date()) {
  const next = nextBake(now);
  if (!next) return 'The oven is resting until tomorrow morning.';
  return `Next out of the oven: ${next.label} at ${next.time} (in ${formatMinutes(next.inMinutes)}).`;
}
