/**
 * Kiln Bakery: bake-time chart (a lazily loaded chunk).
 *
 * main.js imports this with import('./chart.js') the first time someone asks
 * for the chart, so its code never delays the first paint of the home page.
 * It draws one horizontal bar per bread: the full length is the proof time,
 * the label also gives the oven time.
 */
import { formatMinutes, plural } from './lib/format.js';
import { el } from './lib/dom.js';

const byProof = (a, b) => b.proof_hours - a.proof_hours || a.name.localeCompare(b.name);

/**
 * Renders the chart into `panel`, replacing what was there.
 * @param {HTMLElement} panel
 * @param {Array<{name: string, category: string, proof_hours: number, bake_minutes: number}>} items
 */
export function renderChart(panel, items) {
  const breads = items.filter((item) => item.category === 'bread').sort(byProof);
  const longest = Math.max(...breads.map((b) => b.proof_hours), 1);
  const bars = breads.map((b) => {
    const share = b.proof_hours / longest;
    return el(
      'li',
      { 'aria-label': `${b.name}: proofs ${plural(b.proof_hours, 'hour')}, bakes ${formatMinutes(b.bake_minutes)}` },
      el('span', null, b.name),
      el('span', { class: 'bar', style: { width: `${(share * 100).toFixed(1)}%` } }),
      el('span', null, `${b.proof_hours} h`),
    );
  });
  panel.replaceChildren(
    el('h3', null, 'How long each loaf takes'),
    el(
      'p',
      { class: 'meta' },
      `Proofing time, longest first. ${breads.length} breads, ${formatMinutes(
        breads.reduce((sum, b) => sum + b.bake_minutes, 0),
      )} of oven time in all.`,
    ),
    el('ul', { class: 'bars' }, bars),
  );
  panel.dataset.rendered = 'true';
}

export default renderChart;
