/**
 * Kiln Bakery: formatting helpers shared by every page's modules.
 *
 * Pure functions only: no DOM access here, so these are safe to import from
 * anywhere (main.js, about.js, the chart chunk and the inline module on the
 * about page all do).
 */

const LOCALE = 'en-IE';

const priceFormatters = new Map();

/**
 * Formats an amount in minor units (cents) as a localized price.
 * @param {number} cents
 * @param {string} [currency='EUR']
 * @returns {string}
 */
export function formatPrice(cents, currency = 'EUR') {
  let f = priceFormatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    priceFormatters.set(currency, f);
  }
  return f.format(cents / 100);
}

/**
 * Formats a duration in minutes as "45 min", "2 h" or "1 h 15 min".
 * @param {number} minutes
 * @returns {string}
 */
export function formatMinutes(minutes) {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * Formats a weight in grams: "450 g", or "1.2 kg" from a kilogram up.
 * @param {number} grams
 * @returns {string}
 */
export function formatWeight(grams) {
  if (grams < 1000) return `${grams} g`;
  const kg = Math.round((grams / 1000) * 10) / 10;
  return `${kg.toLocaleString(LOCALE)} kg`;
}

/**
 * "1 loaf", "3 loaves": English plurals for the handful of nouns we need.
 * @param {number} n
 * @param {string} one
 * @param {string} [many]
 */
export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Turns a product name into an id fragment: lower case, quotes and slashes
 * dropped, everything else that is not a letter or digit becomes a hyphen.
 * "Baker's rye / caraway" -> "bakers-rye-caraway".
 * @param {string} name
 */
export function slugify(name) {
  return name
    .toLowerCase()
    .replace(/["'\/]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Parses "HH:MM" into minutes since midnight. Half-way values such as "7:5"
 * are not accepted: the data file is hand-edited and should fail loudly.
 * @param {string} hhmm
 */
export function parseClock(hhmm) {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`bad time "${hhmm}", expected HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Formats minutes since midnight back into "HH:MM".
 * @param {number} minutes
 */
export function formatClock(minutes) {
  const h = String(Math.floor(minutes / 60)).padStart(2, '0');
  const m = String(minutes % 60).padStart(2, '0');
  return `${h}:${m}`;
}

/** Day names, index 0 = Sunday like Date#getDay(). */
export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
