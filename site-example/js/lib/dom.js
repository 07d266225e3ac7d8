/**
 * Kiln Bakery: a very small DOM toolkit.
 *
 * Just enough to build elements without innerHTML string soup. Attribute
 * names starting with "on" become event listeners, `dataset` and `style`
 * objects are merged, everything else is set as an attribute.
 */

/**
 * @param {string} selector
 * @param {ParentNode} [root=document]
 * @returns {Element | null}
 */
export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * @param {string} selector
 * @param {ParentNode} [root=document]
 * @returns {Element[]}
 */
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

/**
 * Creates an element.
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === false || value == null) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(node.style, value);
    } else if (key === 'class') {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === false || child == null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * Creates an inline SVG icon that references a symbol in the shared sprite.
 * The caller passes an absolute sprite URL, resolved from its own module with
 * new URL('../img/icons.svg', import.meta.url), so that it works from any page.
 * @param {string} spriteHref
 * @param {string} name
 */
export function iconFromSprite(spriteHref, name) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS(NS, 'use');
  use.setAttribute('href', `${spriteHref}#${name}`);
  svg.append(use);
  return svg;
}

/** Escapes text for the rare place where we do build markup as a string. */
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);
