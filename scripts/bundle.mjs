// Bundles every action (actions/<name>/src/index.ts) into dist/<name>/index.js with ncc: CommonJS,
// minified, with the modules loaded on first use (Octokit, undici, nodemailer, yaml) in chunks
// beside it (`<id>.index.js`). Deterministic: no source maps, no cache, no absolute paths; two runs
// give identical bytes.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ncc from '@vercel/ncc';
import { transform } from 'esbuild';

const root = resolve(import.meta.dirname, '..');

/** A chunk of lazily imported modules (`<id>.index.js`), as webpack names them beside `index.js`. */
export const isChunkFile = (file) => /^\d+\.index\.js$/.test(file);

/** esbuild's options for the chunks (coverage repeats the transform with a source map). */
export const CHUNK_MINIFY = { minify: true, target: 'es2022', legalComments: 'none' };

/**
 * Runs ncc on actions/<name>/src/index.ts with the options of the committed bundles. With
 * `sourceMap: true` the code is the same bytes plus a trailing `//# sourceMappingURL` comment, and
 * the maps come back in `map` and in `assets` (`<chunk>.js.map`): coverage uses them to map runs of
 * the committed bundles back to the TypeScript sources.
 */
export function buildAction(name, { sourceMap = false } = {}) {
  return buildEntry(join(root, 'actions', name, 'src', 'index.ts'), { sourceMap });
}

/** ncc on any entry file, with the options of the committed bundles (see {@link buildAction}). */
export async function buildEntry(entry, { sourceMap = false } = {}) {
  // ncc's tsconfig-paths resolver reads the tsconfig.json of the working directory: actions/tsconfig.json
  // holds the `paths` the bundles need (see the note there).
  const cwd = process.cwd();
  process.chdir(join(root, 'actions'));
  try {
    return await nccBuild(entry, sourceMap);
  } finally {
    process.chdir(cwd);
  }
}

function nccBuild(entry, sourceMap) {
  // Types are checked by `npm run build`; here ncc only transpiles, so a type error elsewhere in the
  // repository cannot block a bundle.
  return ncc(entry, {
    transpileOnly: true,
    minify: true,
    sourceMap,
    sourceMapRegister: false,
    cache: false,
    quiet: true,
    target: 'es2022',
    // CommonJS starts faster than an ES module of the same size (Node compiles a CommonJS file's
    // functions lazily), which is most of the cold-start budget; top-level await still works.
    esm: false,
  });
}

/** Every action with a src/index.ts, sorted. */
export function actionNames() {
  return readdirSync(join(root, 'actions'))
    .filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts')))
    .sort();
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) await bundleAll(process.argv.slice(2));

async function bundleAll(only) {
  const names = actionNames().filter((name) => only.length === 0 || only.includes(name));
  for (const name of names) {
    const started = Date.now();
    let built;
    try {
      built = await buildAction(name);
    } catch (error) {
      // ncc's own stack is megabytes of minified source: show the message only.
      console.error(`bundling actions/${name} failed:\n${String(error?.message ?? error).slice(0, 4000)}`);
      process.exit(1);
    }
    const { code, assets } = built;
    const out = join(root, 'dist', name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'index.js'), code);
    for (const [file, asset] of Object.entries(assets ?? {})) {
      if (file === 'package.json') continue;
      mkdirSync(join(out, file, '..'), { recursive: true });
      writeFileSync(join(out, file), await minifyChunk(file, asset.source));
    }
    // The repository is `"type": "module"`; the bundle is CommonJS.
    writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
    writeFileSync(join(out, 'licenses.txt'), licenses(built.stats));
    console.log(`dist/${name}/index.js  ${(code.length / 1024).toFixed(0)} kB  ${Date.now() - started} ms`);
  }
  if (names.length === 0) console.log('no actions to bundle');
}
/**
 * ncc minifies the entry but leaves the chunks of lazily imported modules (`<id>.index.js`) as
 * webpack wrote them, several times their minified size; esbuild minifies them the same way every run.
 */
export async function minifyChunk(file, source) {
  if (!isChunkFile(file)) return source;
  const { code } = await transform(String(source), CHUNK_MINIFY);
  return code;
}

/**
 * The license notices of every third-party package in a bundle. ncc's own license plugin misses
 * packages once webpack concatenates modules (core is `sideEffects: false`), so the list comes from
 * the modules webpack actually bundled: sorted, without paths, identical on every machine.
 */
function licenses(stats) {
  const dirs = new Map();
  const walk = (modules) => {
    for (const module of modules ?? []) {
      const resource = String(module.identifier ?? module.name ?? '')
        .split('!')
        .pop();
      const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(resource);
      if (match) dirs.set(match[2], match[1]);
      walk(module.modules);
    }
  };
  walk(stats.toJson({ all: false, modules: true, nestedModules: true }).modules);
  const sections = [...dirs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, dir]) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const file = readdirSync(dir).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
      const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${pkg.license ?? 'see package'}`;
      return `${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})\n\n${text}\n`;
    });
  return `${sections.join('\n---\n\n')}`;
}
