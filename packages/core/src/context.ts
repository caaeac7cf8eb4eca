import semver from 'semver';
import { ConfigurationError } from './errors.js';
import { refNameProblem } from './refname.js';

/** Any value JSON can carry. */
export type ContextJsonValue =
  string | number | boolean | null | ContextJsonValue[] | { [key: string]: ContextJsonValue };

/** The deployment a hotfix went out with. */
export interface HotfixDeployment {
  /** The environment, e.g. `production` or `canary`. */
  environment: string;
  /** The GitHub deployment id, or another system's id. */
  id?: number | string;
  /** Where the deployed service (or the deployment's log) can be seen. */
  url?: string;
}

/**
 * What one hotfix is about, handed from action to action as the one JSON output named `context`:
 * each action reads it back as an input, adds what it learned and passes it on.
 */
export interface HotfixContext {
  /** The release line, as text: `1.2`, or `1.x` for a major-only line. */
  line?: string;
  /** The new version, without tag prefix: `1.2.4` or `1.3.0-hotfix.1`. */
  version?: string;
  /** The new version's tag: `v1.2.4`. */
  tag?: string;
  /** The tag of the previous version of the line, when there was one. */
  previousTag?: string;
  /** The full commit SHA the tag points at. */
  sha?: string;
  /** The Beads ticket ids the hotfix resolves, in order of first appearance. */
  tickets: string[];
  /** The branches the fix must be merged back into (e.g. `main`, `release/v1.3`). */
  targets: string[];
  /** The deployment, once there is one. */
  deployment?: HotfixDeployment;
  /** Anything else an action wants to pass on, under keys of its own choosing. */
  extra: Record<string, ContextJsonValue>;
}

/** A partial context for {@link mergeHotfixContext}: every field optional. */
export type HotfixContextPatch = Partial<Omit<HotfixContext, 'deployment'>> & {
  deployment?: Partial<HotfixDeployment>;
};

const KEYS = ['line', 'version', 'tag', 'previousTag', 'sha', 'tickets', 'targets', 'deployment', 'extra'] as const;
const LINE = /^(0|[1-9]\d*)(\.(0|[1-9]\d*|x))?$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A context with nothing in it yet. */
export function emptyHotfixContext(): HotfixContext {
  return { tickets: [], targets: [], extra: {} };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortKeys(value: ContextJsonValue): ContextJsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value)) {
    const sorted: Record<string, ContextJsonValue> = {};
    for (const key of Object.keys(value).sort()) {
      const inner = value[key];
      if (inner !== undefined) sorted[key] = sortKeys(inner as ContextJsonValue);
    }
    return sorted;
  }
  return value;
}

/**
 * The context as one line of JSON with a fixed key order (the fields in declaration order, `extra`'s keys
 * sorted) and no empty optional fields, so equal contexts always serialise to equal text.
 */
export function serializeHotfixContext(context: HotfixContext): string {
  const out: Record<string, ContextJsonValue> = {};
  for (const key of KEYS) {
    const value = context[key];
    if (value === undefined) continue;
    if (key === 'deployment' && context.deployment !== undefined) {
      const { environment, id, url } = context.deployment;
      out[key] = {
        environment,
        ...(id === undefined ? {} : { id }),
        ...(url === undefined ? {} : { url }),
      };
      continue;
    }
    out[key] = sortKeys(value as ContextJsonValue);
  }
  return JSON.stringify(out);
}

function fail(input: string, problem: string): never {
  throw new ConfigurationError(
    `Input "${input}" must be the JSON "context" output of an earlier hotfix-actions step ` +
      `(for example \${{ steps.version.outputs.context }}), but ${problem}.`,
    input,
  );
}

function optionalString(
  record: Record<string, unknown>,
  key: string,
  input: string,
  check: (value: string) => string | undefined,
): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(input, `"${key}" is ${JSON.stringify(value)}, not a string`);
  const problem = check(value);
  if (problem !== undefined) fail(input, `"${key}" is ${JSON.stringify(value)}, which ${problem}`);
  return value;
}

function stringList(
  record: Record<string, unknown>,
  key: string,
  input: string,
  check: (value: string) => string | undefined,
): string[] {
  const value = record[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(input, `"${key}" is not a list`);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string') fail(input, `"${key}[${index}]" is ${JSON.stringify(item)}, not a string`);
    const problem = check(item);
    if (problem !== undefined) fail(input, `"${key}[${index}]" is ${JSON.stringify(item)}, which ${problem}`);
    return item;
  });
}

const checkRef = (value: string): string | undefined => {
  const problem = refNameProblem(value);
  return problem === undefined ? undefined : `is not a valid git ref name (${problem})`;
};

function parseDeployment(value: unknown, input: string): HotfixDeployment | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) fail(input, '"deployment" is not an object');
  const environment = optionalString(value, 'environment', input, (v) => (v.trim() === '' ? 'is empty' : undefined));
  if (environment === undefined) fail(input, '"deployment" has no "environment"');
  const deployment: HotfixDeployment = { environment };
  const id = value['id'];
  if (id !== undefined && id !== null) {
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isSafeInteger(id))) {
      fail(input, `"deployment.id" is ${JSON.stringify(id)}, not a whole number or a string`);
    }
    deployment.id = id;
  }
  const url = optionalString(value, 'url', input, (v) => (URL.canParse(v) ? undefined : 'is not an absolute URL'));
  if (url !== undefined) deployment.url = url;
  const unknown = Object.keys(value).filter((key) => !['environment', 'id', 'url'].includes(key));
  if (unknown.length > 0) fail(input, `"deployment" has unknown fields ${unknown.map((k) => `"${k}"`).join(', ')}`);
  return deployment;
}

/**
 * Reads a context serialised by {@link serializeHotfixContext}. Blank text is an empty context. Bad JSON,
 * unknown fields or malformed values (a version that is not semver, a tag that is not a ref name, a SHA that
 * is not 40 or 64 hex digits …) throw a ConfigurationError naming `input`.
 */
export function parseHotfixContext(text: string, input = 'context'): HotfixContext {
  if (text.trim() === '') return emptyHotfixContext();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(input, `it is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isPlainObject(data)) fail(input, 'it is not a JSON object');
  const unknown = Object.keys(data).filter((key) => !(KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    fail(input, `it has unknown fields ${unknown.map((k) => `"${k}"`).join(', ')} (put your own data under "extra")`);
  }

  const context = emptyHotfixContext();
  const line = optionalString(data, 'line', input, (v) =>
    LINE.test(v) ? undefined : 'is not a line such as 1.2 or 1.x',
  );
  if (line !== undefined) context.line = line;
  const version = optionalString(data, 'version', input, (v) =>
    /^\d/.test(v) && semver.parse(v) !== null ? undefined : 'is not a semantic version such as 1.2.4',
  );
  if (version !== undefined) context.version = version;
  const tag = optionalString(data, 'tag', input, checkRef);
  if (tag !== undefined) context.tag = tag;
  const previousTag = optionalString(data, 'previousTag', input, checkRef);
  if (previousTag !== undefined) context.previousTag = previousTag;
  const sha = optionalString(data, 'sha', input, (v) =>
    SHA.test(v) ? undefined : 'is not a full commit SHA (40 or 64 lowercase hex digits)',
  );
  if (sha !== undefined) context.sha = sha;
  context.tickets = stringList(data, 'tickets', input, (v) =>
    /^\S+$/.test(v) ? undefined : 'is not a ticket id (empty or with spaces)',
  );
  context.targets = stringList(data, 'targets', input, checkRef);
  const deployment = parseDeployment(data['deployment'], input);
  if (deployment !== undefined) context.deployment = deployment;
  const extra = data['extra'];
  if (extra !== undefined && extra !== null) {
    if (!isPlainObject(extra)) fail(input, '"extra" is not an object');
    context.extra = extra as Record<string, ContextJsonValue>;
  }
  return context;
}

function unionOf(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}

function mergeJson(base: ContextJsonValue | undefined, patch: ContextJsonValue): ContextJsonValue {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged: Record<string, ContextJsonValue> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = mergeJson(base[key], value);
  return merged;
}

/**
 * A new context: `base` with the fields `patch` defines. `tickets` and `targets` are united (order of first
 * appearance kept), `deployment` fields are overlaid, `extra` is merged deeply (objects merged, other values
 * replaced). Neither argument is changed.
 */
export function mergeHotfixContext(base: HotfixContext, patch: HotfixContextPatch): HotfixContext {
  const merged: HotfixContext = {
    ...base,
    tickets: unionOf(base.tickets, patch.tickets ?? []),
    targets: unionOf(base.targets, patch.targets ?? []),
    extra: mergeJson(base.extra, patch.extra ?? {}) as Record<string, ContextJsonValue>,
  };
  for (const key of ['line', 'version', 'tag', 'previousTag', 'sha'] as const) {
    const value = patch[key];
    if (value !== undefined) merged[key] = value;
  }
  if (patch.deployment !== undefined) {
    const deployment = { ...base.deployment, ...stripUndefined(patch.deployment) };
    if (deployment.environment === undefined) {
      throw new TypeError('A deployment needs an environment: the patch adds a deployment without one');
    }
    merged.deployment = deployment as HotfixDeployment;
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
