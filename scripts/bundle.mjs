// Bundles every action (actions/<name>/src/index.ts) into dist/<name>/index.js with ncc.
// Deterministic: no source maps, no cache, no absolute paths; two runs give identical bytes.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ncc from '@vercel/ncc';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const names = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts')))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

for (const name of names) {
  const started = Date.now();
  // Types are checked by `npm run build`; here ncc only transpiles, so a type error elsewhere in the
  // repository cannot block a bundle.
  let built;
  try {
    built = await ncc(join(root, 'actions', name, 'src', 'index.ts'), {
      transpileOnly: true,
      minify: true,
      sourceMap: false,
      cache: false,
      license: 'licenses.txt',
      quiet: true,
      target: 'es2022',
    });
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
    writeFileSync(join(out, file), asset.source);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  console.log(`dist/${name}/index.js  ${(code.length / 1024).toFixed(0)} kB  ${Date.now() - started} ms`);
}
if (names.length === 0) console.log('no actions to bundle');
