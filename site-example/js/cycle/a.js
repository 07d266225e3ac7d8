/**
 * Kiln Bakery: the bake schedule (half of a deliberate import cycle).
 *
 * a.js owns the schedule, b.js owns the words for it. Each needs the other,
 * so they import each other. That is fine in ES modules as long as neither
 * touches the other's bindings while the modules are still being evaluated:
 * here every cross-module use happens inside a function, at call time.
 */
import { describeSlot } from './b.js';
import { parseClock } from '../lib/format.js';

/** The day's oven slots, in order. A batch comes out at each of these times. */
export const BAKE_SLOTS = ['06:30', '09:00', '12:30', '15:00'];

/**
 * The next batch after `now`, or null when the last one is out.
 * @param {Date} [now]
 * @returns {{ time: string, label: string, inMinutes: number } | null}
 */
export function nextBake(now = new Date()) {
  const minutesNow = now.getHours() * 60 + now.getMinutes();
  for (const time of BAKE_SLOTS) {
    const at = parseClock(time);
    if (at > minutesNow) {
      return { time, label: describeSlot(time), inMinutes: at - minutesNow };
    }
  }
  return null;
}
