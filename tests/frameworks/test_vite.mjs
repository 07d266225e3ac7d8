// A plain Vite 7 app (build.manifest, build.sourcemap) through kiln-build: the
// page renders the same online and offline, and what a backend or an error
// tracker reads of Vite's output survives: the hashed names, .vite/manifest.json
// and the source maps back to src/.
import fs from 'node:fs';
import path from 'node:path';
import { assert, decodeMappings, namesKept, runSite, walk, legacyTwins } from './lib.mjs';

/* The module script of index.html, its source map, and where the marker
 * string of src/main.js lands: the original source of that position. */
function mainChunkSource(dir) {
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const m = html.match(/<script[^>]*type="module"[^>]*src="([^"]+)"/) ||
    html.match(/<script[^>]*src="([^"]+)"[^>]*type="module"/);
  assert(m, 'no module script in index.html');
  const chunk = path.join(dir, m[1].replace(/^\//, ''));
  assert(fs.existsSync(chunk), `index.html's module script ${m[1]} is not a file`);
  const js = fs.readFileSync(chunk, 'utf8');
  const url = js.match(/\/\/[#@] sourceMappingURL=(\S+)\s*$/);
  const mapFile = url ? path.join(path.dirname(chunk), url[1]) : `${chunk}.map`;
  assert(fs.existsSync(mapFile), `${m[1]}: no source map (${url ? url[1] : 'no comment'})`);
  const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
  const at = js.indexOf('kiln-vite-main-marker');
  assert(at >= 0, `${m[1]} does not contain src/main.js's marker string`);
  const before = js.slice(0, at).split('\n');
  const line = before.length - 1;
  const col = before[before.length - 1].length;
  const segs = decodeMappings(map.mappings)[line] || [];
  let hit = null;
  for (const s of segs) if (s[0] <= col && s.length === 4) hit = s;
  assert(hit, `${path.basename(mapFile)}: no mapping at or before line ${line + 1}, column ${col}`);
  return { chunk: m[1], map: path.basename(mapFile), source: map.sources[hit[1]],
    line: hit[2] + 1, sources: map.sources };
}

process.exitCode = await runSite({
  name: 'vite',
  content: '#app',
  ready: ['lazy chunk loaded'],
  probe: () => {
    const img = document.getElementById('logo');
    const h1 = document.querySelector('h1');
    return {
      h1: h1 ? getComputedStyle(h1).color : null,
      logo: img ? (img.complete ? img.naturalWidth > 0 : 'pending') : null,
    };
  },
  pages: [{ path: '/', marker: 'page-marker: vite-home' }],
  navs: [],
  checks: [
    namesKept('assets', (f) => !f.endsWith('.map')),
    legacyTwins('index.html', { run: true }),
    {
      name: ".vite/manifest.json in the release keeps Vite's entries, and the files it names exist",
      fn: (ctx) => {
        const file = path.join(ctx.release, '.vite/manifest.json');
        assert(fs.existsSync(file), `no .vite/manifest.json in the release (it has: ` +
          `${walk(ctx.release).filter((f) => !/\.(br|gz|zst)$/.test(f)).slice(0, 12).join(', ')})`);
        const got = JSON.parse(fs.readFileSync(file, 'utf8'));
        const want = JSON.parse(fs.readFileSync(path.join(ctx.dist, '.vite/manifest.json'), 'utf8'));
        const problems = [];
        /* What a backend looks up: Vite's keys (source paths) and their files. */
        for (const [key, e] of Object.entries(want)) {
          if (!got[key]) problems.push(`"${key}" is gone`);
          else if (got[key].file !== e.file) problems.push(`"${key}".file is ${got[key].file}, Vite wrote ${e.file}`);
        }
        const named = new Set();
        for (const e of Object.values(got)) {
          if (e.file) named.add(e.file);
          for (const f of [...(e.css || []), ...(e.assets || [])]) named.add(f);
        }
        assert(named.size >= 3, `harness: the manifest names only ${[...named]}`);
        const missing = [...named].filter((f) => !fs.existsSync(path.join(ctx.release, f)));
        if (missing.length) problems.push(`named but not in the release: ${missing.join(', ')}`);
        assert(problems.length === 0, `${problems.join('; ')} (the release's keys: ` +
          `${Object.keys(got).slice(0, 8).join(', ')})`);
      },
    },
    {
      name: 'every .map file of the dist is in the release under its name',
      fn: (ctx) => {
        const maps = walk(ctx.dist).filter((f) => f.endsWith('.map'));
        assert(maps.length >= 2, `harness: the dist has ${maps.length} .map files`);
        const missing = maps.filter((f) => !fs.existsSync(path.join(ctx.release, f)));
        assert(missing.length === 0, `missing: ${missing.join(', ')}`);
      },
    },
    {
      name: "a position in the release's main chunk maps back to src/main.js",
      fn: (ctx) => {
        const want = mainChunkSource(ctx.dist);
        assert(/(^|\/)src\/main\.js$/.test(want.source),
          `harness: in the dist itself ${want.chunk} maps to ${want.source}`);
        const got = mainChunkSource(ctx.release);
        assert(/(^|\/)src\/main\.js$/.test(got.source),
          `${got.chunk} (map ${got.map}) maps the marker to ${got.source}:${got.line}; ` +
          `its sources: ${got.sources.slice(0, 5).join(', ')}`);
      },
    },
  ],
});
