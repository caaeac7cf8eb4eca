// The workflow security rules of hotfix-actions (zizmor's audits, re-implemented), as pure functions
// of a workflow's text: each finding names the rule, the line, and how to fix it.
//   S1  no ${{ }} inside run: (untrusted text becomes shell code)
//   S3  permissions read-only at the top, writes per job, never write-all
//   S4  every third-party uses: pinned to a full commit SHA, with the version in a comment
//   S5  no pull_request_target or workflow_run triggers (they run with secrets on untrusted input)
//   S6  persist-credentials: false on checkouts of jobs that do not push, nothing untrusted into
//       GITHUB_ENV or GITHUB_PATH, no secrets: inherit
// (S2 — argument arrays, never shell strings — is about code, not workflows.)
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';

/** The rules {@link checkWorkflowSecurity} applies. */
export type WorkflowRule = 'S1' | 'S3' | 'S4' | 'S5' | 'S6';

/** What each rule asks, in a line. */
export const WORKFLOW_RULES: Readonly<Record<WorkflowRule, string>> = {
  S1: 'no ${{ }} expression inside run:',
  S3: 'read-only permissions at the top, writes per job, never write-all',
  S4: 'third-party actions pinned to a full commit SHA with a version comment',
  S5: 'no pull_request_target or workflow_run trigger',
  S6: 'no persisted credentials where nothing is pushed, nothing untrusted into GITHUB_ENV/GITHUB_PATH, no secrets: inherit',
};

/** One rule broken at one place. */
export interface WorkflowFinding {
  rule: WorkflowRule;
  /** 1-based line and column of the offending text. */
  line: number;
  column: number;
  message: string;
}

/** Expressions whose values an outsider controls (titles, bodies, branch names, commit messages). */
const UNTRUSTED_CONTEXT =
  /\bgithub\.(?:head_ref|event\.(?:issue|pull_request|comment|review|review_comment|discussion|discussion_comment|head_commit|commits|pages|workflow_run)\b)/;

const FULL_SHA = /^[0-9a-f]{40}$/;

type Position = { line: number; column: number };

function get(map: YAMLMap | undefined, key: string): Node | undefined {
  if (!map) return undefined;
  const pair = map.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  return (pair?.value ?? undefined) as Node | undefined;
}

function text(node: Node | undefined): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

/** Options of {@link checkWorkflowSecurity}. */
export interface WorkflowSecurityOptions {
  /**
   * Owners (`acme`) or repositories (`acme/tools`) whose actions count as first-party: S4 accepts a tag
   * for them (a repository's own actions, released together with its workflows).
   */
  trusted?: readonly string[];
}

/** True when `uses` (`owner/repo[/path]@ref`) names an action of a trusted owner or repository. */
export function isTrustedAction(uses: string, trusted: readonly string[]): boolean {
  const [owner = '', repo = ''] = uses.split('@')[0]!.split('/');
  return trusted.some((entry) => {
    const [trustedOwner, trustedRepo] = entry.toLowerCase().split('/');
    return trustedOwner === owner.toLowerCase() && (trustedRepo === undefined || trustedRepo === repo.toLowerCase());
  });
}

/** Checks one workflow file's text against S1 and S3–S6; a file that is not YAML gives no findings (actionlint reports it). */
export function checkWorkflowSecurity(source: string, options: WorkflowSecurityOptions = {}): WorkflowFinding[] {
  const trusted = options.trusted ?? [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, keepSourceTokens: false });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return [];
  const root = doc.contents;
  const findings: WorkflowFinding[] = [];
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const where = (node: Node | undefined): Position => at(node?.range?.[0] ?? 0);
  const add = (rule: WorkflowRule, position: Position, message: string) =>
    findings.push({ rule, ...position, message });
  const lineText = (line: number): string => source.split(/\r?\n/)[line - 1] ?? '';

  // S5: triggers.
  const on = get(root, 'on');
  const triggers: [string, Node | undefined][] = isScalar(on)
    ? [[String(on.value), on]]
    : isSeq(on)
      ? on.items.map((item) => [String(text(item as Node) ?? ''), item as Node])
      : isMap(on)
        ? on.items.map((item) => [String(text(item.key as Node) ?? ''), item.key as Node])
        : [];
  for (const [name, node] of triggers) {
    if (name === 'pull_request_target' || name === 'workflow_run') {
      add(
        'S5',
        where(node),
        `The ${name} trigger runs with the repository's secrets and write token on input an outsider controls: ` +
          `use ${name === 'workflow_run' ? 'needs: between jobs of one workflow' : 'pull_request'} instead.`,
      );
    }
  }

  // S3: top-level permissions.
  const top = get(root, 'permissions');
  if (top === undefined) {
    add(
      'S3',
      { line: 1, column: 1 },
      'No top-level permissions: the token gets the repository default, often write access to everything. ' +
        'Add `permissions: {contents: read}` at the top and grant writes per job.',
    );
  } else if (text(top) === 'write-all') {
    add(
      'S3',
      where(top),
      'permissions: write-all at the top: set `permissions: {contents: read}` and grant writes per job.',
    );
  } else if (isMap(top)) {
    for (const item of top.items) {
      if (text(item.value as Node) === 'write') {
        add(
          'S3',
          where(item.key as Node),
          `Top-level permission ${text(item.key as Node)}: write applies to every job: make it read and grant write in the jobs that need it.`,
        );
      }
    }
  } else if (!isMap(top) && text(top) !== 'read-all') {
    add(
      'S3',
      where(top),
      `Top-level permissions "${text(top) ?? '?'}" are not read-only: use read-all or a map of read scopes.`,
    );
  }

  const jobs = get(root, 'jobs');
  if (!isMap(jobs)) return findings;
  for (const jobPair of jobs.items) {
    const jobName = text(jobPair.key as Node) ?? '?';
    const job = jobPair.value as Node;
    if (!isMap(job)) continue;
    const permissions = get(job, 'permissions');
    if (text(permissions) === 'write-all') {
      add(
        'S3',
        where(permissions),
        `Job ${jobName} has permissions: write-all: list the scopes it writes (contents: write, …).`,
      );
    }
    const pushes = isMap(permissions) && text(get(permissions, 'contents')) === 'write';

    const secrets = get(job, 'secrets');
    if (text(secrets) === 'inherit') {
      add(
        'S6',
        where(secrets),
        `Job ${jobName} passes secrets: inherit: pass only the secrets the called workflow needs, by name.`,
      );
    }
    const jobUses = get(job, 'uses');
    if (jobUses !== undefined) checkUses(jobUses, `job ${jobName}`);

    const steps = get(job, 'steps');
    if (!isSeq(steps)) continue;
    for (const [index, stepNode] of steps.items.entries()) {
      if (!isMap(stepNode)) continue;
      const step = stepNode as YAMLMap;
      const label = text(get(step, 'name')) ?? text(get(step, 'id')) ?? `step ${index + 1}`;
      const uses = get(step, 'uses');
      if (uses !== undefined) checkUses(uses, `${jobName} / ${label}`);
      const usesText = text(uses) ?? '';
      if (/^actions\/checkout@/.test(usesText)) {
        const persist = text(get(get(step, 'with') as YAMLMap | undefined, 'persist-credentials'));
        if (persist !== 'false' && !pushes) {
          add(
            'S6',
            where(uses),
            `${jobName} / ${label}: actions/checkout keeps the token in .git/config for every later step; ` +
              'add `with: {persist-credentials: false}` (the job does not push: it has no contents: write).',
          );
        }
      }
      const run = get(step, 'run');
      if (run !== undefined) {
        const raw = source.slice(run.range?.[0] ?? 0, run.range?.[1] ?? 0);
        const found = raw.indexOf('${{');
        if (found >= 0) {
          const expression = /\$\{\{([\s\S]*?)\}\}/.exec(raw.slice(found))?.[1]?.trim() ?? '';
          add(
            'S1',
            at((run.range?.[0] ?? 0) + found),
            `${jobName} / ${label}: \${{ ${expression} }} inside run: becomes part of the script (an injection when the ` +
              `value is untrusted): pass it through env: (e.g. VALUE: \${{ ${expression} }}) and use "$VALUE".`,
          );
        }
        checkEnvFiles(step, run, raw, `${jobName} / ${label}`);
      }
    }
  }
  return findings;

  function checkUses(node: Node, what: string): void {
    const value = text(node) ?? '';
    if (value.startsWith('./') || value === '') return;
    const position = where(node);
    if (value.startsWith('docker://')) {
      if (!value.includes('@sha256:')) {
        add('S4', position, `${what}: ${value} is not pinned: use the image digest (docker://image@sha256:…).`);
      }
      return;
    }
    const ref = value.slice(value.lastIndexOf('@') + 1);
    if (value.includes('@') && isTrustedAction(value, trusted)) return;
    if (!value.includes('@') || !FULL_SHA.test(ref)) {
      add(
        'S4',
        position,
        `${what}: ${value} is not pinned to a commit: a tag or branch can be moved under you. Use the full SHA ` +
          `with the version in a comment (uses: ${value.split('@')[0]}@<40-hex sha> # ${value.includes('@') ? ref : 'vX.Y.Z'}); ` +
          `for your own repository's actions, pass --trust ${value.split('/').slice(0, 2).join('/')}.`,
      );
      return;
    }
    const rest = lineText(position.line).slice(position.column - 1 + value.length);
    if (!/#\s*\S/.test(rest)) {
      add(
        'S4',
        position,
        `${what}: ${value.split('@')[0]} is pinned without saying to what: add the version as a comment (# v1.2.3).`,
      );
    }
  }

  function checkEnvFiles(step: YAMLMap, run: Node, raw: string, what: string): void {
    if (!/GITHUB_(ENV|PATH)\b/.test(raw)) return;
    const env = get(step, 'env');
    if (!isMap(env)) return;
    for (const item of env.items) {
      const name = text(item.key as Node);
      const value = text(item.value as Node) ?? '';
      if (name === undefined || !UNTRUSTED_CONTEXT.test(value)) continue;
      const used = new RegExp(`\\$\\{?${name}\\b`);
      const lines = raw.split('\n');
      const index = lines.findIndex((line) => used.test(line) && /GITHUB_(ENV|PATH)\b/.test(line));
      if (index < 0) continue;
      const offset = (run.range?.[0] ?? 0) + lines.slice(0, index).join('\n').length + (index > 0 ? 1 : 0);
      add(
        'S6',
        at(offset),
        `${what}: $${name} comes from ${value.trim()} and is written to a GitHub environment file, where it can set ` +
          'any variable (or PATH) of the later steps: validate it or keep it in this step.',
      );
    }
  }
}
