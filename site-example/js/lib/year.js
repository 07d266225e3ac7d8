/*
 * Side-effect module: fills every [data-year] element with the current year,
 * so the copyright line in the footer never goes stale. Imported for its
 * effect only (import './lib/year.js').
 */
const year = String(new Date().getFullYear());
for (const node of document.querySelectorAll('[data-year]')) {
  node.textContent = year;
}
