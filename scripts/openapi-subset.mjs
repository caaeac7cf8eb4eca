// Regenerates packages/testkit/openapi/github-subset.json: the operations of GitHub's official REST
// description (@octokit/openapi) that the API stand-in implements, plus every component they
// reference, directly or through other components. The stand-in validates each request and response
// against this file, so the subset must stay faithful: schemas are copied unchanged, only prose
// (descriptions, examples) and vendor extensions are dropped to keep the file small.
//
// The source is OpenAPI 3.0.3 (nullable types are `nullable: true`, not `type: [..., 'null']`);
// the subset keeps that dialect and the stand-in translates it when it compiles the schemas.
//
// Usage: node scripts/openapi-subset.mjs [--check]   (--check fails when the committed file is stale)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** operationIds served by packages/testkit/src/api (keep in step with its route table). */
export const OPERATIONS = [
  // repository
  'repos/get',
  // git data
  'git/get-ref',
  'git/list-matching-refs',
  'git/create-ref',
  'git/update-ref',
  'git/delete-ref',
  'git/create-tag',
  'git/get-tag',
  'git/get-commit',
  // commits, compare, merges, branches, tags
  'repos/get-commit',
  'repos/list-commits',
  'repos/compare-commits-with-basehead',
  'repos/merge',
  'repos/list-branches',
  'repos/get-branch',
  'repos/list-tags',
  'repos/list-pull-requests-associated-with-commit',
  // commit statuses (deployments check them)
  'repos/create-commit-status',
  'repos/get-combined-status-for-ref',
  // contents (small file edits on a branch)
  'repos/get-content',
  'repos/create-or-update-file-contents',
  // pulls
  'pulls/list',
  'pulls/create',
  'pulls/get',
  'pulls/update',
  'pulls/list-commits',
  'pulls/list-requested-reviewers',
  'pulls/request-reviewers',
  'pulls/merge',
  // issues, labels, comments
  'issues/list-for-repo',
  'issues/create',
  'issues/get',
  'issues/update',
  'issues/list-labels-on-issue',
  'issues/add-labels',
  'issues/remove-label',
  'issues/list-comments',
  'issues/create-comment',
  'issues/update-comment',
  'issues/get-label',
  'issues/create-label',
  // releases
  'repos/list-releases',
  'repos/create-release',
  'repos/get-release',
  'repos/get-latest-release',
  'repos/get-release-by-tag',
  'repos/update-release',
  // deployments
  'repos/list-deployments',
  'repos/create-deployment',
  'repos/get-deployment',
  'repos/list-deployment-statuses',
  'repos/create-deployment-status',
  // people
  'repos/get-collaborator-permission-level',
  'teams/get-membership-for-user-in-org',
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
// Prose and vendor data: not used for validation, and most of the source's size.
const DROPPED_KEYS = new Set(['description', 'example', 'examples', 'externalDocs', 'summary']);

const root = resolve(import.meta.dirname, '..');
const target = join(root, 'packages', 'testkit', 'openapi', 'github-subset.json');

/** Copies a value without prose or `x-` extensions; keys of `properties` maps are data, never dropped. */
function strip(value, inPropertiesMap = false) {
  if (Array.isArray(value)) return value.map((item) => strip(item));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const key of Object.keys(value)) {
    if (!inPropertiesMap && (DROPPED_KEYS.has(key) || key.startsWith('x-'))) continue;
    out[key] = strip(value[key], !inPropertiesMap && (key === 'properties' || key === 'patternProperties'));
  }
  return out;
}

/** Every `$ref` string inside a value. */
function refsOf(value, found = []) {
  if (Array.isArray(value)) for (const item of value) refsOf(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsOf(item, found);
    }
  }
  return found;
}

/** Sorts object keys recursively so the output does not depend on the source's key order. */
function sortKeys(value, keepOrder = false) {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item));
  if (value === null || typeof value !== 'object') return value;
  const keys = keepOrder ? Object.keys(value) : Object.keys(value).sort();
  return Object.fromEntries(keys.map((key) => [key, sortKeys(value[key], key === 'properties')]));
}

export function buildSubset(source, operations = OPERATIONS) {
  if (!/^3\.0\./.test(source.openapi)) {
    // 3.1 spells nullability as a type union; the stand-in's translation of `nullable` would then be
    // wrong, so refuse instead of producing a subset that validates differently from GitHub.
    throw new Error(`expected an OpenAPI 3.0.x description, found ${source.openapi}`);
  }
  const wanted = new Set(operations);
  const paths = {};
  for (const [path, item] of Object.entries(source.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation || !wanted.has(operation.operationId)) continue;
      wanted.delete(operation.operationId);
      const kept = strip(operation);
      kept.operationId = operation.operationId;
      if (item.parameters) kept.parameters = [...strip(item.parameters), ...(kept.parameters ?? [])];
      paths[path] = { ...paths[path], [method]: kept };
    }
  }
  if (wanted.size > 0) throw new Error(`operations not in the description: ${[...wanted].join(', ')}`);

  const components = {};
  const pending = refsOf(paths);
  const seen = new Set();
  while (pending.length > 0) {
    const ref = pending.pop();
    if (seen.has(ref)) continue;
    seen.add(ref);
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
    if (!match) throw new Error(`unsupported reference ${ref}`);
    const [, kind, name] = match;
    const component = source.components?.[kind]?.[name];
    if (component === undefined) throw new Error(`dangling reference ${ref}`);
    const kept = strip(component);
    components[kind] = { ...components[kind], [name]: kept };
    pending.push(...refsOf(kept));
  }

  return sortKeys({
    openapi: source.openapi,
    info: {
      title: `${source.info.title} (subset used by @hotfix-actions/testkit)`,
      version: source.info.version,
      'x-generated-by': 'scripts/openapi-subset.mjs from @octokit/openapi',
    },
    paths,
    components,
  });
}

function main() {
  const require = createRequire(import.meta.url);
  const sourcePath = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const source = JSON.parse(readFileSync(sourcePath, 'utf8'));
  const subset = buildSubset(source);
  const text = `${JSON.stringify(subset, null, 1)}\n`;
  const operationCount = Object.values(subset.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  const schemaCount = Object.keys(subset.components.schemas ?? {}).length;
  if (process.argv.includes('--check')) {
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(`${target} is stale: run node scripts/openapi-subset.mjs`);
      process.exit(1);
    }
    console.log(`github-subset.json is up to date (${operationCount} operations, ${schemaCount} schemas)`);
    return;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(
    `wrote ${target}: ${operationCount} operations, ${schemaCount} schemas, ${(text.length / 1024).toFixed(0)} kB`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
