/**
 * Kiln Bakery: extras for the about page.
 *
 * Loaded as a second module script after main.js. Everything comes through the
 * library barrel (lib/index.js), which re-exports the formatting helpers that
 * main.js imports directly, so both share one instance of lib/format.js.
 */
import { formatPrice, plural, el, $, upcomingBake, oven } from './lib/index.js';

const MENU_URL = new URL('../data/menu.json', import.meta.url);
const FOUNDED = 2011;

/** "Baking since 2011: 13 years, 9 breads, from €2.20." */
async function fillFacts() {
  const facts = $('#facts');
  if (!facts) return;
  const years = new Date().getFullYear() - FOUNDED;
  const menu = await fetch(MENU_URL).then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  });
  const cheapest = Math.min(...menu.items.map((i) => i.price_cents));
  facts.replaceChildren(
    el('li', null, `Baking on Mill Lane since ${FOUNDED}: ${plural(years, 'year')}.`),
    el('li', null, `${plural(menu.items.length, 'item')} on today's menu, from ${formatPrice(cheapest, menu.currency)}.`),
    el('li', null, oven.ovenStatus()),
  );
}

/** Highlights the bakers on the next shift: after the last bake that is
 * tomorrow's early shift. */
function markOnShift() {
  const next = upcomingBake();
  const shift = !next || Number(next.time.slice(0, 2)) < 11 ? 'early' : 'late';
  for (const card of document.querySelectorAll('[data-shift]')) {
    card.toggleAttribute('data-on-shift', card.dataset.shift === shift);
  }
}

markOnShift();
fillFacts().catch((error) => {
  $('#facts')?.replaceChildren(el('li', null, 'Facts are unavailable right now.'));
  console.warn('about: could not load facts', error);
});
