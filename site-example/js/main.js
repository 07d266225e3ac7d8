/**
 * Kiln Bakery: entry module, loaded by every page.
 *
 * Wires up the theme toggle, fills in today's menu from data/menu.json,
 * writes the "next bake" status line and, on the home page, loads the
 * bake-time chart on demand. Each feature checks for its own markup and
 * quietly does nothing on pages that do not have it.
 */
import './lib/year.js';
import {
  formatPrice,
  formatWeight,
  formatClock,
  parseClock,
  plural,
  slugify,
  DAYS,
} from './lib/format.js';
import { $, $$, el, iconFromSprite } from './lib/dom.js';
import { ovenStatus } from './cycle/b.js';
import { debounce, once, announce } from './vendor/tiny-lib-4f3a9c1e.js';

/*
 * The old seasonal banner used to be pulled in here with
 *   import "./nope.js";
 * It was removed for the autumn menu; the line stays commented out until the
 * winter banner is designed.
 */

// Resolved against this module, not the page, so it works from /docs/ too.
const MENU_URL = new URL('../data/menu.json', import.meta.url);

// The icon sprite for the <svg><use href> elements we create. Built from a
// literal with import.meta.url (never by gluing strings together) so it is
// right from every page and the build can rewrite it to the fingerprinted name.
const SPRITE = new URL('../img/icons.svg', import.meta.url).href;

const THEME_KEY = 'kiln-theme';

/** Theme toggle: flips data-theme on <html> and remembers the choice. */
function initThemeToggle() {
  const button = $('.theme-toggle');
  if (!button) return;
  const html = document.documentElement;
  const label = $('span', button);
  const render = () => {
    const dark = html.dataset.theme === 'dark';
    button.setAttribute('aria-pressed', String(dark));
    label.textContent = dark ? 'Light' : 'Dark';
  };
  button.addEventListener('click', () => {
    html.dataset.theme = html.dataset.theme === 'dark' ? 'light' : 'dark';
    try {
      localStorage.setItem(THEME_KEY, html.dataset.theme);
    } catch {
      // Not persisted; the toggle still works for this page view.
    }
    render();
    announce(`${html.dataset.theme === 'dark' ? 'Dark' : 'Light'} theme`);
  });
  render();
}

/** Loads the menu once per page, however many features ask for it. */
const loadMenu = once(async () => {
  const response = await fetch(MENU_URL);
  if (!response.ok) throw new Error(`menu: HTTP ${response.status} for ${MENU_URL.pathname}`);
  return response.json();
});

/** One card of the menu grid. */
function menuCard(item, currency) {
  const soldOut = !item.available;
  return el(
    'li',
    { class: ['card', soldOut && 'sold-out'], id: `item-${slugify(item.name)}` },
    el('h3', null, item.name, el('span', { class: 'price' }, formatPrice(item.price_cents, currency))),
    el('p', null, item.description),
    el(
      'p',
      { class: 'meta' },
      `${formatWeight(item.weight_g)} · ${item.category}${soldOut ? ' · sold out' : ''}`,
    ),
    el('p', null, item.tags.map((tag) => el('span', { class: 'tag' }, tag))),
  );
}

/** Home page: renders the menu grid and the filter box. */
async function initMenu() {
  const grid = $('#menu-grid');
  if (!grid) return;
  const status = $('#menu-status');
  try {
    const menu = await loadMenu();
    const render = (query) => {
      const q = query.trim().toLowerCase();
      const items = menu.items.filter(
        (item) => !q || item.name.toLowerCase().includes(q) || item.tags.some((t) => t.includes(q)),
      );
      grid.replaceChildren(...items.map((item) => menuCard(item, menu.currency)));
      const left = items.filter((item) => item.available).length;
      status.textContent = `${plural(left, 'bake', 'bakes')} available of ${items.length} on today's menu${
        q ? ` matching "${query.trim()}"` : ''
      }. Updated ${menu.updated}.`;
    };
    render('');
    const filter = $('#menu-filter');
    filter?.addEventListener(
      'input',
      debounce((event) => render(event.target.value), 150),
    );
    grid.dataset.count = String(menu.items.length);
  } catch (error) {
    status.textContent = 'The menu could not be loaded. Please call us on 01 555 0142.';
    status.dataset.error = String(error);
  }
}

/** "Open now" and next-bake line in the hours band. */
async function initHours() {
  const box = $('#open-now');
  if (!box) return;
  const now = new Date();
  box.replaceChildren(iconFromSprite(SPRITE, 'clock'), ' ', ovenStatus(now));
  try {
    const { hours } = await loadMenu();
    const today = hours.find((h) => h.day === now.getDay());
    const minutes = now.getHours() * 60 + now.getMinutes();
    let text;
    if (!today) {
      text = `Closed on ${DAYS[now.getDay()]}s.`;
    } else if (minutes < parseClock(today.open)) {
      text = `Opens today at ${today.open}.`;
    } else if (minutes < parseClock(today.close)) {
      text = `Open now, until ${formatClock(parseClock(today.close))}.`;
    } else {
      text = 'Closed for today.';
    }
    box.append(el('br'), text);
  } catch {
    // The status line above is still useful without the hours.
  }
}

/** Home page: the bake-time chart is a separate chunk, loaded on first click. */
function initChart() {
  const button = $('#show-chart');
  const panel = $('#chart-panel');
  if (!button || !panel) return;
  button.addEventListener('click', async () => {
    if (!panel.hidden) {
      panel.hidden = true;
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    button.setAttribute('aria-busy', 'true');
    try {
      const [{ renderChart }, menu] = await Promise.all([import('./chart.js'), loadMenu()]);
      renderChart(panel, menu.items);
      panel.hidden = false;
      button.setAttribute('aria-expanded', 'true');
    } finally {
      button.removeAttribute('aria-busy');
    }
  });
}

/** Marks the current page in the navigation. */
function markCurrentNav() {
  const here = location.pathname.replace(/\/$/, '/index.html');
  for (const a of $$('.site-header nav a')) {
    if (new URL(a.href).pathname === here) a.setAttribute('aria-current', 'page');
  }
}

initThemeToggle();
markCurrentNav();
initChart();
await Promise.all([initMenu(), initHours()]);
document.documentElement.dataset.js = 'ready';

//# sourceMappingURL=main.js.map
