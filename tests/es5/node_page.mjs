// The reference engine of run_page.py: dom_shim.js in a Node vm context (V8,
// every ES feature), as the page's only globals. Mode "legacy" runs what a
// browser without modules runs (the same as Duktape does); mode "modern"
// runs what a module browser runs: module scripts (vm.SourceTextModule, one
// instance per URL, import.meta.url, import()) and no nomodule script. The
// original, unbundled modules run in "modern" mode are the reference a
// lowered legacy build is compared with.
// Usage: node --experimental-vm-modules node_page.mjs CONFIG.json, CONFIG
// holding { shim, files, origin, page, tree, mode, actions }; prints console lines,
// then "__KILN_RESULT__ {json}".
import fs from 'node:fs';
import vm from 'node:vm';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ctx = vm.createContext({});
const print = (s) => process.stdout.write(String(s) + '\n');
const mods = new Map();  // url -> vm.SourceTextModule
const pathOf = (u) => (u.startsWith(cfg.origin + '/') ? new URL(u).pathname : null);

function moduleFor(url, text) {
  if (url && mods.has(url)) return mods.get(url);
  if (text === undefined) {
    const p = pathOf(url);
    text = p === null ? undefined : cfg.files[p];
    if (text === undefined) throw new TypeError(`Failed to fetch dynamically imported module: ${url}`);
  }
  const base = url || cfg.origin + cfg.page;
  const m = new vm.SourceTextModule(text, {
    context: ctx,
    identifier: url || `${base} (inline module)`,
    initializeImportMeta(meta) { meta.url = base; },
    importModuleDynamically: (spec) => load(new URL(spec, base).href),
  });
  m.base = base;
  if (url) mods.set(url, m);
  return m;
}

async function link(m) {
  if (m.status === 'unlinked')
    await m.link((spec, ref) => moduleFor(new URL(spec, ref.base).href));
  return m;
}

async function load(url) {
  const m = await link(moduleFor(url));
  await m.evaluate();
  return m;
}

/* The page's module scripts are fetched and linked before the page runs (a
 * browser fetches them while it parses); each evaluates when the shim says. */
const ready = new Map();
async function prelink(tree) {
  const walk = async (n) => {
    if (typeof n === 'string') return;
    const [tag, attrs, kids] = n;
    const a = Object.fromEntries(attrs);
    if (tag === 'script' && (a.type || '').trim().toLowerCase() === 'module') {
      const url = a.src !== undefined ? new URL(a.src, cfg.origin + cfg.page).href : null;
      const m = url ? moduleFor(url) : moduleFor(null, kids.join(''));
      ready.set(url ?? kids.join(''), m);
      await link(m);
    }
    for (const k of kids) await walk(k);
  };
  for (const n of cfg.tree) await walk(n);
}

ctx.__kilnHost = {
  files: cfg.files, origin: cfg.origin, page: cfg.page, tree: cfg.tree, mode: cfg.mode,
  actions: cfg.actions, print,
  evalScript(text, url) {
    const base = url.replace(/ \(inline script\)$/, '');  // a classic script's import()
    new vm.Script(text, {
      filename: url, importModuleDynamically: (spec) => load(new URL(spec, base).href),
    }).runInContext(ctx);
  },
  module(el, url, text) {
    const report = (e) => ctx.__kiln.report(url || 'inline module', e);
    let m = ready.get(url ?? text);
    if (!m) {  // inserted by a script: loads in later tasks
      link(url ? moduleFor(url) : moduleFor(null, text)).then((x) => x.evaluate()).catch(report);
      return;
    }
    ready.delete(url ?? text);
    const prev = ctx.document.currentScript;
    ctx.document.currentScript = null;  // null while a module runs
    try {
      m.evaluate().catch(report);
    } finally {
      ctx.document.currentScript = prev;
    }
  },
};

let status = 0, before = null;
/* A browser reports an unhandled rejection and goes on. */
process.on('unhandledRejection', (e) => ctx.__kiln?.report('unhandled rejection', e));
try {
  new vm.Script(cfg.shim, { filename: 'dom_shim.js' }).runInContext(ctx);
  if (cfg.mode !== 'legacy') await prelink(cfg.tree);
  /* One virtual task at a time, V8's microtasks in between. */
  const drain = async () => {
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (!ctx.__kiln.step()) {
        await new Promise((r) => setImmediate(r));
        if (!ctx.__kiln.step()) break;
      }
    }
  };
  ctx.__kiln.start();
  await drain();
  before = JSON.parse(JSON.stringify(ctx.__kiln.state()));
  for (let i = 0; ctx.__kiln.act(i); i++) await drain();
} catch (e) {
  print(`host error: ${e && e.stack ? e.stack : e}`);
  ctx.__kiln?.report('host', e);
  status = 1;
}
print('__KILN_RESULT__ ' + JSON.stringify({ ...(ctx.__kiln ? JSON.parse(JSON.stringify(ctx.__kiln.state())) : {}), before }));
process.exitCode = status;
