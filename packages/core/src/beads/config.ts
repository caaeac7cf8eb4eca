// A repository's Beads settings (.beads/config.yaml, .beads/metadata.json) and which store holds
// the truth: the tracked JSONL (bd ≤ 0.49), a Dolt database (bd 1.x), or nothing at all.
import { ConfigurationError, errorMessage } from '../errors.js';
import { BEADS_BUILTIN_STATUSES } from './record.js';

/** The settings of `.beads/config.yaml` this suite reads. */
export interface BeadsConfig {
  /** `issue-prefix` (ids are `<prefix>-<hash>`). */
  readonly issuePrefix?: string;
  /** `sync.branch` (or the older `sync-branch`): where bd commits `.beads` changes. */
  readonly syncBranch?: string;
  /** `sync.remote`. */
  readonly syncRemote?: string;
  /** `sync.mode` (`dolt-native` in bd 1.x). */
  readonly syncMode?: string;
  /** `no-db`: the JSONL is the only store. */
  readonly noDb: boolean;
  /** `status.custom`, category annotations (`name:wip`) removed. */
  readonly customStatuses: readonly string[];
  /** `types.custom`. */
  readonly customTypes: readonly string[];
}

/** The settings of `.beads/metadata.json` this suite reads. */
export interface BeadsMetadata {
  /** `database`: `beads.db` (a SQLite cache of the JSONL) before 1.0, `dolt` after. */
  readonly database?: string;
  /** `jsonl_export`: the JSONL's name inside `.beads/` (bd ≤ 0.49). */
  readonly jsonlExport?: string;
  /** `backend`, lower-cased (`dolt` in 1.x; absent or `sqlite` before). */
  readonly backend?: string;
  /** `dolt_mode`: `embedded`, `server` or `proxied-server`. */
  readonly doltMode?: string;
  /** `dolt_database`: the Dolt SQL database name. */
  readonly doltDatabase?: string;
  /** `last_bd_version`: the bd version that last wrote the file. */
  readonly lastBdVersion?: string;
  /** Every key of the file, for diagnostics. */
  readonly raw: Readonly<Record<string, unknown>>;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// bd reads this file with viper: keys are case-insensitive and `a.b` is the same as `a: {b: …}`.
function lookup(tree: Tree, path: string): unknown {
  const direct = Object.keys(tree).find((key) => key.toLowerCase() === path);
  if (direct !== undefined) return tree[direct];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  const head = Object.keys(tree).find((key) => key.toLowerCase() === path.slice(0, dot));
  const child = head === undefined ? undefined : tree[head];
  return isTree(child) ? lookup(child, path.slice(dot + 1)) : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => String(item).trim()).filter((item) => item !== '');
}

/**
 * Parses `.beads/config.yaml`. An empty or comment-only file gives the defaults; YAML that does not
 * parse or a malformed `status.custom` is a ConfigurationError naming `source`. Async because the
 * YAML parser is loaded on first use, keeping it out of every action's start-up.
 */
export async function parseBeadsConfig(yamlText: string, source = '.beads/config.yaml'): Promise<BeadsConfig> {
  const { parse: parseYaml } = await import('yaml');
  let tree: unknown;
  try {
    tree = parseYaml(yamlText);
  } catch (error) {
    throw new ConfigurationError(`${source} is not valid YAML: ${errorMessage(error)}`);
  }
  if (tree === null || tree === undefined) tree = {};
  if (!isTree(tree)) throw new ConfigurationError(`${source} must be a mapping of settings.`);
  const customStatuses = list(lookup(tree, 'status.custom')).map((entry) => {
    const name = entry.split(':')[0]?.trim() ?? '';
    if (!/^[a-z][a-z0-9_-]*$/.test(name) || BEADS_BUILTIN_STATUSES.includes(name)) {
      throw new ConfigurationError(
        `${source}: status.custom entry "${entry}" is not a valid custom status ` +
          '(lowercase letters, digits, "_" and "-", starting with a letter, not a built-in status).',
      );
    }
    return name;
  });
  const noDb = lookup(tree, 'no-db');
  return {
    issuePrefix: text(lookup(tree, 'issue-prefix')),
    syncBranch: text(lookup(tree, 'sync.branch')) ?? text(lookup(tree, 'sync-branch')),
    syncRemote: text(lookup(tree, 'sync.remote')),
    syncMode: text(lookup(tree, 'sync.mode')),
    noDb: noDb === true || (typeof noDb === 'string' && noDb.trim().toLowerCase() === 'true'),
    customStatuses: [...new Set(customStatuses)],
    customTypes: [...new Set(list(lookup(tree, 'types.custom')))],
  };
}

/** Parses `.beads/metadata.json`; JSON that does not parse is a ConfigurationError naming `source`. */
export function parseBeadsMetadata(jsonText: string, source = '.beads/metadata.json'): BeadsMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText);
  } catch (error) {
    throw new ConfigurationError(`${source} is not valid JSON: ${errorMessage(error)}`);
  }
  if (!isTree(raw)) throw new ConfigurationError(`${source} must be a JSON object.`);
  return {
    database: text(raw['database']),
    jsonlExport: text(raw['jsonl_export']),
    backend: text(raw['backend'])?.toLowerCase(),
    doltMode: text(raw['dolt_mode']),
    doltDatabase: text(raw['dolt_database']),
    lastBdVersion: text(raw['last_bd_version']),
    raw,
  };
}

/** Where a repository's Beads data is authoritative. */
export type BeadsMode = 'jsonl' | 'dolt' | 'none';

/** What is known about a repository's `.beads` directory. */
export interface BeadsRepoFacts {
  /** Entries of `.beads/` (`issues.jsonl`, `config.yaml`, `embeddeddolt/`, …); a `.beads/` prefix is ignored. */
  readonly files: readonly string[];
  /** The parsed `.beads/config.yaml`, when there is one. */
  readonly config?: BeadsConfig;
  /** The parsed `.beads/metadata.json`, when there is one. */
  readonly metadata?: BeadsMetadata;
  /** Whether `git ls-remote <remote> refs/dolt/data` found the ref (undefined: not checked). */
  readonly hasDoltRemoteRef?: boolean;
  /** The JSONL's name inside `.beads/` (default `issues.jsonl`). */
  readonly jsonlName?: string;
}

/** The outcome of {@link detectBeadsMode}. */
export interface BeadsModeDetection {
  /** Where the truth is. */
  readonly mode: BeadsMode;
  /** One sentence saying why. */
  readonly reason: string;
  /** Each fact that pointed at the chosen mode. */
  readonly evidence: readonly string[];
}

/**
 * Decides whether a direct edit of the JSONL is authoritative ('jsonl'), would be lost because a
 * Dolt database holds the truth ('dolt'), or there is no Beads data ('none'). Any Dolt sign wins:
 * a refused edit is loud, a lost one is silent.
 */
export function detectBeadsMode(facts: BeadsRepoFacts): BeadsModeDetection {
  const files = new Set(facts.files.map((file) => file.replace(/^(\.\/)?\.beads\//, '').replace(/\/+$/, '')));
  const { config, metadata } = facts;
  const jsonlName = facts.jsonlName ?? metadata?.jsonlExport ?? 'issues.jsonl';
  const major = metadata?.lastBdVersion ? Number(/^v?(\d+)\./.exec(metadata.lastBdVersion)?.[1]) : undefined;

  const dolt: string[] = [];
  if (facts.hasDoltRemoteRef) dolt.push('the remote has refs/dolt/data');
  if (metadata?.backend === 'dolt') dolt.push('.beads/metadata.json sets backend "dolt"');
  if (metadata?.doltMode || metadata?.doltDatabase) dolt.push('.beads/metadata.json configures a Dolt connection');
  for (const dir of ['embeddeddolt', 'dolt']) if (files.has(dir)) dolt.push(`.beads/${dir}/ exists`);
  if (config?.syncMode === 'dolt-native') dolt.push('.beads/config.yaml sets sync.mode dolt-native');
  // A Dolt remote is a URL; older configs may name a git remote ("origin") there instead.
  if (config?.syncRemote?.includes('://')) dolt.push('.beads/config.yaml sync.remote is a Dolt remote');
  if (major !== undefined && major >= 1) dolt.push(`.beads/metadata.json was written by bd ${metadata?.lastBdVersion}`);
  if (dolt.length > 0) {
    return {
      mode: 'dolt',
      reason: `The Beads data is held in a Dolt database (${dolt.join('; ')}).`,
      evidence: dolt,
    };
  }

  if (!files.has(jsonlName)) {
    return {
      mode: 'none',
      reason: `There is no .beads/${jsonlName} and nothing points at a Dolt database.`,
      evidence: [],
    };
  }
  const jsonl: string[] = [`.beads/${jsonlName} exists`];
  if (config?.noDb) jsonl.push('.beads/config.yaml sets no-db: true');
  if (metadata?.jsonlExport) jsonl.push(`.beads/metadata.json exports to ${metadata.jsonlExport}`);
  if (metadata?.database?.endsWith('.db')) jsonl.push('the database is a SQLite cache rebuilt from the JSONL');
  if (major !== undefined) jsonl.push(`.beads/metadata.json was written by bd ${metadata?.lastBdVersion}`);
  return {
    mode: 'jsonl',
    reason: `.beads/${jsonlName} is the source of truth (${jsonl.slice(1).join('; ') || 'no Dolt database is configured'}).`,
    evidence: jsonl,
  };
}

/**
 * The refusal shown when a Dolt-backed (bd 1.x) repository would be edited without `bd`: the JSONL
 * there is an export, and bd ignores or overwrites edits to it.
 */
export function beadsDoltRefusalMessage(detection: BeadsModeDetection): string {
  return (
    `${detection.reason} Since bd 1.0 that database is the source of truth and .beads/issues.jsonl is only an ` +
    'export: an edit to it would be ignored or overwritten, so none was made. Make bd available on the runner ' +
    '(it is then picked by backend: auto) or set backend: bd.'
  );
}
