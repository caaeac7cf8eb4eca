// What the checkout says about its Beads data: where the file is, the repository's settings, and
// whether the JSONL or a Dolt database holds the truth.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import {
  ConfigurationError,
  createGitClient,
  detectBeadsMode,
  parseBeadsConfig,
  parseBeadsMetadata,
  type BeadsConfig,
  type BeadsMetadata,
  type BeadsModeDetection,
  type GitClient,
} from '@hotfix-actions/core';

/** The checkout and its Beads settings. */
export interface BeadsRepository {
  /** `GITHUB_WORKSPACE`. */
  workspace: string;
  /** The top of the git checkout that holds the tracker. */
  root: string;
  /** The tracker file, relative to `root`, in `/` form. */
  relPath: string;
  /** The tracker file's absolute path in the checkout. */
  absPath: string;
  /** `.beads/config.yaml` (defaults when there is none). */
  config: BeadsConfig;
  metadata: BeadsMetadata | undefined;
  detection: BeadsModeDetection;
  /** A git client for the checkout. */
  git: GitClient;
  /** The git remote the tracker is pushed to (`sync.remote` when it names one, else `origin`). */
  remote: string;
  /** The checked-out branch, or undefined on a detached HEAD. */
  currentBranch: string | undefined;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const EMPTY_CONFIG: BeadsConfig = { noDb: false, customStatuses: [], customTypes: [] };

/**
 * Reads the tracker's surroundings in the checkout at `workspace`: the git top level, the `.beads`
 * directory next to `path`, its config.yaml and metadata.json, and whether the remote carries a
 * Dolt database (`refs/dolt/data`). Problems are ConfigurationErrors.
 */
export async function inspectRepository(workspace: string, path: string): Promise<BeadsRepository> {
  const probe = createGitClient({ cwd: workspace });
  const top = await probe.raw(['rev-parse', '--show-toplevel'], { okExitCodes: [0, 128] });
  if (top.exitCode !== 0) {
    throw new ConfigurationError(
      `The workspace ${workspace} is not a git checkout: run actions/checkout before this step.`,
      'path',
    );
  }
  const root = top.stdout.trim();
  const git = root === workspace ? probe : createGitClient({ cwd: root });
  const absPath = resolve(workspace, path);
  const rel = relative(root, absPath);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new ConfigurationError(`Input "path" (${path}) is outside the git checkout ${root}.`, 'path');
  }
  const relPath = rel.split(sep).join('/');
  const beadsDir = dirname(absPath);
  const files = await readdir(beadsDir).catch(() => [] as string[]);
  const configName = `${dirname(relPath)}/config.yaml`;
  const configText = await readOptional(resolve(beadsDir, 'config.yaml'));
  const config = configText === undefined ? EMPTY_CONFIG : await parseBeadsConfig(configText, configName);
  const metadataText = await readOptional(resolve(beadsDir, 'metadata.json'));
  const metadata =
    metadataText === undefined ? undefined : parseBeadsMetadata(metadataText, `${dirname(relPath)}/metadata.json`);
  const remote =
    config.syncRemote && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(config.syncRemote) ? config.syncRemote : 'origin';

  let hasDoltRemoteRef: boolean | undefined;
  try {
    const refs = await git.lsRemote({ remote, scope: 'all', patterns: ['refs/dolt/data'] });
    hasDoltRemoteRef = refs.some((ref) => ref.name === 'refs/dolt/data');
  } catch {
    // No such remote (a local-only checkout): nothing to learn from it.
    hasDoltRemoteRef = undefined;
  }
  const jsonlName = basename(relPath);
  // With a sync branch the JSONL may exist only there; the branch is read when the edit is made.
  const listed = config.syncBranch !== undefined && !files.includes(jsonlName) ? [...files, jsonlName] : files;
  const detection = detectBeadsMode({ files: listed, config, metadata, hasDoltRemoteRef, jsonlName });
  return {
    workspace,
    root,
    relPath,
    absPath,
    config,
    metadata,
    detection,
    git,
    remote,
    currentBranch: await git.currentBranch(),
  };
}
