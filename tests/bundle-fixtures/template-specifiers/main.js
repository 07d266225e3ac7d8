// Vite 8 writes every lazy route as import() of a template literal without
// substitutions: a literal specifier, bundled as import('...') is. (Vite's own
// hashed names would make kiln pass the graph through: these are plain.)
import { state, bump } from './shared.js';
const routes = {
  about: () => import(`./routes/About.js`),
  // An escape: resolved by its cooked value, "./routes/Blog.js".
  blog: () => import(`./routes/\u0042log.js`),
};
__log.push('main sees ' + state.n);
bump();
const about = await routes.about();
__log.push('about says ' + about.default());
const blog = await routes.blog();
__log.push('blog says ' + blog.title + ', n = ' + state.n);
const logo = new URL(`./img/logo.svg`, import.meta.url);
__log.push('logo ' + logo.pathname.split('/').pop().replace(/\.[0-9a-f]{10}\./, '.'));
// An escape in the query: the rewritten literal must keep it a valid string.
const icon = new URL(`./img/logo.svg?v=1#\u0060top\u0060`, import.meta.url);
__log.push('icon ' + icon.search + icon.hash);
window.__done = true;
