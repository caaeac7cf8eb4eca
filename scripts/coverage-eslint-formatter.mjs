// An eslint formatter for CI's lint step: prints eslint's usual report and also writes the JSON report
// that the coverage gate of the tests step reads (coverage/eslint.json), so the repository is linted once.
//
//   eslint . -f ./scripts/coverage-eslint-formatter.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ESLint } from 'eslint';

/** eslint calls it with the results of the run; what it returns is printed. */
export default async function formatForPeopleAndGate(results, context) {
  const report = resolve(context.cwd, 'coverage', 'eslint.json');
  mkdirSync(dirname(report), { recursive: true });
  // The same bytes as `eslint -f json`.
  writeFileSync(report, JSON.stringify(results));
  const stylish = await new ESLint({ cwd: context.cwd }).loadFormatter('stylish');
  return stylish.format(results, context);
}
