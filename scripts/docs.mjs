// Regenerates the inputs/outputs tables of every actions/<name>/README.md from its action.yml,
// between the markers <!-- action-docs:start --> and <!-- action-docs:end -->.
// `node scripts/docs.mjs [name…]` limits it to some actions. `--check` changes nothing and exits 1 when a README is out of date.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const START = '<!-- action-docs:start -->';
const END = '<!-- action-docs:end -->';
const root = resolve(import.meta.dirname, '..');

const cell = (text) =>
  String(text ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
const code = (text) => (text === undefined || text === '' ? '' : `\`${cell(text)}\``);

/** The generated markdown for one action.yml. */
export function renderActionDocs(action) {
  const lines = ['### Inputs', '', '| input | description | required | default |', '|---|---|---|---|'];
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    lines.push(
      `| \`${name}\` | ${cell(input.description)} | ${input.required ? 'yes' : 'no'} | ${code(input.default)} |`,
    );
  }
  lines.push('', '### Outputs', '', '| output | description |', '|---|---|');
  for (const [name, output] of Object.entries(action.outputs ?? {})) {
    lines.push(`| \`${name}\` | ${cell(output.description)} |`);
  }
  return lines.join('\n');
}

/** Returns the README text with the generated block replaced, or throws when markers are missing. */
export function updateReadme(readme, action, file) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file}: add the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${renderActionDocs(action)}\n${readme.slice(end)}`;
}

export function actionDocsStatus(only = []) {
  const stale = [];
  const actionsDir = join(root, 'actions');
  for (const name of existsSync(actionsDir) ? readdirSync(actionsDir).sort() : []) {
    if (only.length > 0 && !only.includes(name)) continue;
    const yml = join(actionsDir, name, 'action.yml');
    const readmePath = join(actionsDir, name, 'README.md');
    if (!existsSync(yml)) continue;
    const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
    const next = updateReadme(readme, parse(readFileSync(yml, 'utf8')), `actions/${name}/README.md`);
    if (next !== readme) stale.push({ name, readmePath, next });
  }
  return stale;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stale = actionDocsStatus(process.argv.slice(2).filter((arg) => !arg.startsWith('--')));
  if (process.argv.includes('--check')) {
    for (const { name } of stale) console.error(`actions/${name}/README.md is out of date: run npm run docs`);
    process.exit(stale.length > 0 ? 1 : 0);
  }
  for (const { name, readmePath, next } of stale) {
    writeFileSync(readmePath, next);
    console.log(`updated actions/${name}/README.md`);
  }
}
