// R4: hostile inputs through the committed bundles. One or two inputs of a working configuration are
// replaced by generated text built from shell injections (each would create a sentinel file), workflow
// commands, git revision syntax, path traversal, control and unusual Unicode characters, and plausible
// values. Every run must either succeed with a valid result, or stop with exactly one configuration
// error naming an input and change nothing (no API write, no ref pushed, no delivery, no probe). The
// sentinel file must never appear.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { isValidRefName } from '@hotfix-actions/core';
import { beadsLineDiff, gitShowBytes, type BundleRun } from '@hotfix-actions/testkit';
import {
  AUDIT_OPERATIONS,
  TRACKER,
  backmergeWorld,
  beadsWorld,
  breakGlassWorld,
  canaryWorld,
  closeStage,
  footprintOf,
  notifyWorld,
  originTagCommit,
  planWorld,
  quickGate,
  rollbackWorld,
  versionWorld,
  writesBetween,
  type Footprint,
  type Stage,
} from './worlds.js';
import { changedRefs, clearFailureProblem, errorsOf, explain, jsonOutput, namedInput } from './support.js';

/** A directory for the sentinel, outside every workspace; removed by {@link removeSentinelDir}. */
const SENTINEL_DIR = mkdtempSync(join(tmpdir(), 'hotfix-reliability-'));
/** The file every injected command would create. */
export const SENTINEL = join(SENTINEL_DIR, 'SENTINEL');

/** Removes the sentinel's directory. */
export function removeSentinelDir(): void {
  rmSync(SENTINEL_DIR, { recursive: true, force: true });
}

/** Ways to run `touch SENTINEL` if a value ever reached a shell. */
const INJECTIONS = [
  `$(touch ${SENTINEL})`,
  `\`touch ${SENTINEL}\``,
  `; touch ${SENTINEL}`,
  `| touch ${SENTINEL}`,
  `&& touch ${SENTINEL}`,
  `\ntouch ${SENTINEL}\n`,
  `' ; touch ${SENTINEL} ; '`,
  `" ; touch ${SENTINEL} ; "`,
  `\${IFS}touch\${IFS}${SENTINEL}`,
];

/** Everything else a hostile or careless value may hold. */
const FRAGMENTS = [
  // Workflow commands smuggled into the log: an echoed input must never become an annotation.
  '\n::error title=injected::injected',
  '\n::warning title=injected::injected',
  '%0A::error title=injected::injected',
  '::add-mask::',
  '${{ github.token }}',
  // Git revisions, ref-name breakers and options.
  '../',
  '..',
  '~1',
  '^{}',
  '@{-1}',
  ':',
  '?',
  '*',
  '[',
  '.lock',
  '//',
  '--upload-pack=touch',
  '-x',
  'refs/heads/',
  // Whitespace and control characters.
  ' ',
  '\t',
  '\r\n',
  '\n',
  '\u0007',
  '\u001b[31m',
  // Quotes and escapes.
  '"',
  "'",
  '\\',
  '%',
  ',',
  '=',
  // Unicode: accents, emoji, a right-to-left override, line separators, a zero-width space.
  'é',
  '😀',
  '\u202e',
  '\u2028',
  '\u200b',
  // Data that is almost right.
  '<b>&amp;</b>',
  '{"a":1}',
  '[]',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '0x10',
  'x'.repeat(300),
];

/** Values that look right, for any input; each action adds its own. */
const COMMON_PLAUSIBLE = ['', ' ', 'true', 'false', '1', '0', 'main', 'v1.2.3', 'bd-a1b2'];

/** A hostile value: injections and fragments mixed with plausible values of the input. */
export function hostileValue(plausible: readonly string[]): fc.Arbitrary<string> {
  const piece = fc.constantFrom(...INJECTIONS, ...FRAGMENTS, ...plausible);
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom(...plausible), fc.constantFrom(...INJECTIONS, ...FRAGMENTS))
          .map(([good, bad]) => good + bad),
      },
      { weight: 2, arbitrary: fc.constantFrom(...plausible) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
    )
    .map((value) => value.replace(/\0/g, ''));
}

/** One fuzzed run's verdict (`artifact`: a fault of the API stand-in, not of the action). */
export type FuzzVerdict = 'accepted' | 'refused' | 'domain-failure' | 'defect' | 'artifact';

const ACTIONS_DIR = fileURLToPath(new URL('../../actions/', import.meta.url));

/** The inputs an action declares in its action.yml. */
function declaredInputs(action: string): string[] {
  const metadata = parseYaml(readFileSync(join(ACTIONS_DIR, action, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, unknown>;
  };
  return Object.keys(metadata.inputs ?? {});
}

/** What a fuzzed run did, judged. */
export interface FuzzRecord {
  action: string;
  inputs: Record<string, string>;
  fuzzed: string[];
  verdict: FuzzVerdict;
  /** For refused runs: the input the error named. */
  named?: string;
  /** For refused runs: the named input is one of the fuzzed ones (else the error names what would fix it). */
  namedFuzzed?: boolean;
  /** For defects: what was wrong. */
  problem?: string;
  /** The shell ran an injected command (the sentinel appeared). */
  injected: boolean;
  /** Writes, pushes, deliveries or probes a refused run made that it should not have. */
  mutations: number;
  durationMs: number;
}

/** A world a fuzz lane runs its cases in, one after the other. */
interface FuzzWorld {
  stage: Stage;
  /** Runs the action (rollback: plan, then finish). */
  run(inputs: Record<string, string>): Promise<BundleRun[]>;
  /** What is wrong with the result of a run that exited 0, if anything. */
  valid(runs: BundleRun[], inputs: Record<string, string>, before: Footprint): Promise<string | undefined>;
  /** A failure that is the action's verdict, not a mistake (canary abort, break-glass denied). */
  domainFailure?(run: BundleRun, inputs: Record<string, string>): boolean;
  /** Writes (by operationId) a refused run may still make: break-glass audits every attempt. */
  refusedWrites?: ReadonlySet<string>;
  /** Refs a refused run may still move (break-glass: its audit branch). */
  refusedRefs?(inputs: Record<string, string>): string[];
  /** Brings the checkout back after a run that may have left it dirty. */
  reset?(): Promise<void>;
}

/** An action under fuzzing: its inputs, plausible values for them, and how to build its world. */
export interface FuzzKit {
  action: string;
  base(world: FuzzWorld): Record<string, string>;
  fuzzable: readonly string[];
  plausible: Record<string, readonly string[]>;
  open(): Promise<FuzzWorld>;
}

const BOOLEAN = ['true', 'false', 'TRUE', 'yes', '1'];
const DURATION = ['0s', '1s', '10ms', '2m', '1h', '-1s', '5'];
const COUNT = ['0', '1', '3', '10', '-1', '1.5', '1e3'];
const BRANCH = ['main', 'release/v1.2', 'release/v1.3', 'release/v1.x', 'hotfix/bd-a1b2-fix', 'no/such/branch'];
const TICKET = ['bd-a1b2', 'bd-1slh', 'bd-1e12', 'INC-1234', 'bd-nope9'];

const list = (runs: BundleRun | BundleRun[]) => (Array.isArray(runs) ? runs : [runs]);

const versionKit: FuzzKit = {
  action: 'version-bump',
  base: () => ({}),
  fuzzable: [
    'token',
    'branch',
    'sha',
    'line',
    'release-branch-pattern',
    'tag-prefix',
    'scheme',
    'method',
    'annotated',
    'create-release',
    'ticket-prefix',
    'max-attempts',
    'dry-run',
  ],
  plausible: {
    branch: BRANCH,
    sha: ['HEAD', '0'.repeat(40), 'release/v1.2'],
    line: ['1.2', '1', '1.x', '2.0', '1.2.3'],
    'release-branch-pattern': ['release/v{line}', 'release/{line}', 'rel-{line}', '{line}'],
    'tag-prefix': ['v', '', 'release-', 'V'],
    scheme: ['patch', 'hotfix-suffix', 'minor'],
    method: ['api', 'git', 'API'],
    annotated: BOOLEAN,
    'create-release': BOOLEAN,
    'ticket-prefix': ['bd', 'bd, gh', 'gh'],
    'max-attempts': COUNT,
    'dry-run': BOOLEAN,
    token: ['ghs_x', ''],
  },
  async open() {
    const world = await versionWorld();
    return {
      stage: world,
      run: async (inputs) => [await world.run(inputs)],
      async valid([run]) {
        const { outcome, tag, sha } = run!.outputs;
        if (!['created', 'exists', 'dry-run'].includes(outcome ?? '')) return `outcome ${outcome}`;
        if (!tag || !isValidRefName(`refs/tags/${tag}`)) return `tag ${JSON.stringify(tag)}`;
        if (outcome !== 'dry-run' && (await originTagCommit(world.sandbox, tag)) !== sha) {
          return `${tag} is not on ${sha} at the origin`;
        }
        return undefined;
      },
    };
  },
};

const backmergeKit: FuzzKit = {
  action: 'backmerge-pr',
  base: () => ({}),
  fuzzable: [
    'token',
    'source',
    'targets',
    'trunk',
    'release-branch-pattern',
    'strategy',
    'commits',
    'ticket',
    'ticket-prefix',
    'branch-prefix',
    'labels',
    'reviewers',
    'conflict-label',
    'draft-on-conflict',
    'auto-merge',
    'direct-push',
    'fail-on-conflict',
    'dry-run',
  ],
  plausible: {
    source: BRANCH,
    targets: ['main', 'release/v1.3, main', 'release/v1.1', 'main\nrelease/v1.3'],
    trunk: ['main', 'develop', 'release/v1.3'],
    'release-branch-pattern': ['release/v{line}', 'release/{line}', '{line}'],
    strategy: ['merge', 'cherry-pick', 'rebase'],
    commits: ['HEAD', '0'.repeat(40)],
    ticket: TICKET,
    'ticket-prefix': ['bd', 'gh'],
    'branch-prefix': ['backmerge/', 'bm-', ''],
    labels: ['backmerge', 'hotfix, backmerge', 'new-label'],
    reviewers: ['alice', 'bob, alice', 'acme/release-leads', 'nobody'],
    'conflict-label': ['backmerge-conflict', 'conflict'],
    'draft-on-conflict': BOOLEAN,
    'auto-merge': BOOLEAN,
    'direct-push': BOOLEAN,
    'fail-on-conflict': BOOLEAN,
    'dry-run': BOOLEAN,
    token: ['ghs_x'],
  },
  async open() {
    const world = await backmergeWorld();
    return {
      stage: world,
      run: async (inputs) => [await world.run(inputs)],
      async valid([run], inputs) {
        const results = jsonOutput<{ target: string; status: string; 'pr-number': number | null }[]>(run!, 'results');
        if (!Array.isArray(results)) return `results ${JSON.stringify(run!.outputs.results)}`;
        for (const result of results) {
          if (!['created', 'exists', 'up-to-date', 'conflict', 'pushed'].includes(result.status)) {
            return `status ${result.status} for ${result.target}`;
          }
          if (result['pr-number'] === null || /^true$/i.test(inputs['dry-run'] ?? '')) continue;
          const pull = world.api.state.pulls.find((p) => p.number === result['pr-number']);
          if (pull?.base !== result.target) return `pull request #${result['pr-number']} is not into ${result.target}`;
        }
        return undefined;
      },
    };
  },
};

const beadsKit: FuzzKit = {
  action: 'beads-sync',
  base: () => ({ transition: 'start', ticket: 'bd-1slh' }),
  fuzzable: [
    'transition',
    'ticket',
    'backend',
    'path',
    'push',
    'sync-branch',
    'reason',
    'labels',
    'title',
    'description',
    'type',
    'priority',
    'depends-on',
    'external-ref',
    'notes',
    'context',
    'hotfix-branch-prefix',
    'max-attempts',
    'fail-on-error',
    'dry-run',
  ],
  plausible: {
    transition: ['start', 'merged', 'deployed', 'close', 'create', 'auto', 'reopen'],
    ticket: [...TICKET, 'bd-1slh, bd-1e12'],
    backend: ['auto', 'jsonl', 'bd', 'dolt'],
    path: ['.beads/issues.jsonl', '../issues.jsonl', '/etc/passwd', '.beads/other.jsonl'],
    push: BOOLEAN,
    'sync-branch': ['beads-sync', 'main', 'refs/heads/x'],
    reason: ['Fixed in v1.2.4', 'Done'],
    labels: ['hotfix', 'deployed, hotfix', 'area:api'],
    title: ['Hotfix regression: login', 'Post-incident review'],
    description: ['What happened', 'Line one\nline two'],
    type: ['bug', 'task', 'feature', 'incident'],
    priority: ['0', 'P1', '4', '5', 'critical'],
    'depends-on': ['discovered-from:bd-1slh', 'blocks:bd-1e12', 'related:bd-nope9', 'bd-1slh'],
    'external-ref': ['gh-123', 'INC-1234'],
    notes: ['Closure notes'],
    context: ['{}', '{"tickets":["bd-1slh"],"tag":"v1.2.4"}', '{"tickets":"x"}'],
    'hotfix-branch-prefix': ['hotfix/', 'fix-'],
    'max-attempts': COUNT,
    'fail-on-error': BOOLEAN,
    'dry-run': BOOLEAN,
  },
  async open() {
    const world = await beadsWorld();
    const workspace = await world.sandbox.clone();
    return {
      stage: world,
      run: async (inputs) => [await world.run(workspace, inputs)],
      async valid([run]) {
        if (!['true', 'false'].includes(run!.outputs.changed ?? '')) return `changed ${run!.outputs.changed}`;
        const commit = run!.outputs.commit;
        if (!commit) return undefined;
        // The pushed tracker: valid JSONL, and only the named (or created) tickets' lines differ from its parent.
        const after = await gitShowBytes(world.sandbox.origin, commit, TRACKER);
        const before = await gitShowBytes(world.sandbox.origin, `${commit}^`, TRACKER);
        for (const line of after.toString('utf8').split('\n').filter(Boolean)) {
          try {
            JSON.parse(line);
          } catch {
            return `an invalid line in the pushed tracker: ${line.slice(0, 120)}`;
          }
        }
        const named = new Set(
          (jsonOutput<{ id: string }[]>(run!, 'tickets') ?? [])
            .map((ticket) => ticket.id)
            .concat(run!.outputs.created ?? []),
        );
        const diff = beadsLineDiff(before, after);
        const stray = [
          ...diff.changed.map((c) => c.id),
          ...diff.inserted.map((c) => c.id),
          ...diff.removed.map((c) => c.id),
        ].filter((id) => !named.has(id));
        return stray.length > 0 ? `lines of other tickets changed: ${stray.join(', ')}` : undefined;
      },
      async reset() {
        await world.sandbox.git(['reset', '--quiet', '--hard'], workspace);
        await world.sandbox.git(['clean', '-fdq'], workspace);
      },
    };
  },
};

const rollbackKit: FuzzKit = {
  action: 'rollback',
  base: () => ({}),
  fuzzable: [
    'token',
    'environment',
    'deploy-command',
    'to',
    'from',
    'from-deployment',
    'line',
    'skip',
    'escalate',
    'tag-prefix',
    'mode',
    'branch',
    'revert-commit',
    'health-url',
    'health-interval',
    'health-successes',
    'health-timeout',
    'ticket',
    'create-regression-ticket',
    'dry-run',
  ],
  plausible: {
    environment: ['production', 'staging', 'prod uction'],
    'deploy-command': ['./deploy.sh', 'echo deploy', ''],
    to: ['v1.4.0', '1.3.0', 'v1.5.1', 'v9.9.9'],
    from: ['v1.5.1', '1.5.0'],
    'from-deployment': ['5000003', '1', '0', '-5'],
    line: ['1.5', '1.x', '1', '9.9'],
    skip: ['v1.4.0', 'v1.4.0, v1.3.0', '1.3.0'],
    escalate: BOOLEAN,
    'tag-prefix': ['v', ''],
    mode: ['redeploy', 'revert', 'reset'],
    branch: BRANCH,
    'revert-commit': ['HEAD', '0'.repeat(40)],
    'health-url': ['http://127.0.0.1:9/health', 'https://example.com/health', 'ftp://x'],
    'health-interval': DURATION,
    'health-successes': COUNT,
    'health-timeout': DURATION,
    ticket: TICKET,
    'create-regression-ticket': BOOLEAN,
    'dry-run': BOOLEAN,
    token: ['ghs_x'],
  },
  async open() {
    const world = await rollbackWorld();
    return {
      stage: world,
      async run(inputs) {
        const plan = await world.plan(inputs);
        // The composite always runs the finish step (if: always()).
        return [plan, await world.finish(plan)];
      },
      async valid([plan, finish]) {
        if (!['deploy', 'already-there', 'dry-run'].includes(plan!.outputs.action ?? '')) {
          return `plan action ${plan!.outputs.action}`;
        }
        const tag = plan!.outputs['to-tag'] ?? '';
        if (
          plan!.outputs.action !== 'dry-run' &&
          (await originTagCommit(world.sandbox, tag)) !== plan!.outputs['to-sha']
        ) {
          return `to-tag ${tag} is not at to-sha ${plan!.outputs['to-sha']}`;
        }
        if (finish!.exitCode !== 0) return `finish failed after a good plan: ${explain(finish!)}`;
        return undefined;
      },
    };
  },
};

const planKit: FuzzKit = {
  action: 'hotfix-plan',
  base: () => ({ ticket: 'bd-a1b2', description: 'Fix login', severity: 'P1' }),
  fuzzable: [
    'token',
    'production-down',
    'severity',
    'labels',
    'can-wait',
    'release-branch',
    'release-branch-pattern',
    'trunk',
    'tag-prefix',
    'ticket',
    'ticket-prefix',
    'description',
    'branch-prefix',
    'check',
    'enforce',
    'pull-request',
    'test-patterns',
  ],
  plausible: {
    'production-down': BOOLEAN,
    severity: ['P0', 'p1', '2', 'sev2', 'critical', 'P5', 'priority:1'],
    labels: ['emergency', 'bug, security', 'cosmetic', 'p0'],
    'can-wait': BOOLEAN,
    'release-branch': BRANCH,
    'release-branch-pattern': ['release/v{line}', 'release/{line}', '{line}'],
    trunk: ['main', 'develop'],
    'tag-prefix': ['v', ''],
    ticket: TICKET,
    'ticket-prefix': ['bd', 'gh, bd'],
    description: ['Fix login', 'a'.repeat(120)],
    'branch-prefix': ['hotfix/', 'fix-', ''],
    check: BOOLEAN,
    enforce: BOOLEAN,
    'pull-request': ['1', '999', '0', '-1'],
    'test-patterns': ['*.test.*', 'test/\n*.spec.*', '**'],
  },
  async open() {
    const world = await planWorld();
    return {
      stage: world,
      run: async (inputs) => [await world.run(inputs)],
      async valid([run]) {
        const approach = run!.outputs.approach ?? '';
        if (!['emergency', 'release-first', 'trunk-first', 'regular-issue'].includes(approach)) {
          return `approach ${approach}`;
        }
        const branch = run!.outputs['hotfix-branch'] ?? '';
        if (branch !== '' && !isValidRefName(`refs/heads/${branch}`)) {
          return `hotfix-branch ${JSON.stringify(branch)} is not a valid branch name`;
        }
        const targets = jsonOutput<unknown>(run!, 'targets');
        if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) return 'targets is not a list';
        return undefined;
      },
    };
  },
};

const breakGlassKit: FuzzKit = {
  action: 'break-glass',
  base: () => ({ 'incident-id': 'INC-1234', 'allowed-actors': 'alice', 'audit-issue': '1' }),
  fuzzable: [
    'token',
    'incident-id',
    'incident-pattern',
    'ticket-prefix',
    'ticket',
    'reason',
    'allowed-actors',
    'allowed-team',
    'min-permission',
    'skip-gates',
    'audit-issue',
    'audit-branch',
    'audit-path',
    'audit-method',
    'fail-on-denied',
  ],
  plausible: {
    'incident-id': ['INC-1234', 'bd-a1b2', 'SEV1-0042', 'INC'],
    'incident-pattern': ['SEV[0-9]+-[0-9]{4}', '.*', '(a+)+$', '['],
    'ticket-prefix': ['bd', 'bd, gh'],
    ticket: TICKET,
    reason: ['Checkout down', 'Line one\nline two'],
    'allowed-actors': ['alice', 'bob, alice', 'mallory'],
    'allowed-team': ['release-leads', 'acme/release-leads', 'nobody'],
    'min-permission': ['admin', 'maintain', 'write', 'none', 'owner'],
    'skip-gates': ['canary-analysis', 'bake-time', 'health-check', 'canary-analysis, bake-time'],
    'audit-issue': ['1', '404', '0', '-1'],
    'audit-branch': ['audit', 'refs/heads/audit', 'main'],
    'audit-path': ['audit/break-glass.jsonl', '../escape.jsonl', '/abs.jsonl'],
    'audit-method': ['api', 'git', 'both'],
    'fail-on-denied': BOOLEAN,
    token: ['ghs_x'],
  },
  async open() {
    const world = await breakGlassWorld();
    return {
      stage: world,
      run: async (inputs) => [await world.run(inputs)],
      async valid([run]) {
        if (!['true', 'false'].includes(run!.outputs.approved ?? '')) return `approved ${run!.outputs.approved}`;
        if (jsonOutput<object>(run!, 'audit-record') === undefined) return 'no audit record';
        return undefined;
      },
      domainFailure: (run) =>
        run.outputs.approved === 'false' &&
        errorsOf(run).length === 1 &&
        errorsOf(run)[0]!.title === 'Break-glass denied',
      // Every attempt is audited, refused ones included: by design.
      refusedWrites: AUDIT_OPERATIONS,
      refusedRefs: (inputs) => [`refs/heads/${(inputs['audit-branch'] ?? '').trim()}`],
    };
  },
};

const notifyKit: FuzzKit = {
  action: 'notify',
  base: (world) => ({
    event: 'post-deploy',
    status: 'success',
    'webhook-url': `${world.stage.receiver!.url}/hook`,
    'issue-number': '1',
    timeout: '2s',
    retries: '0',
  }),
  fuzzable: [
    'token',
    'event',
    'status',
    'ticket',
    'ticket-url',
    'version',
    'environment',
    'decision',
    'title',
    'message',
    'context',
    'slack-webhook-url',
    'webhook-url',
    'smtp-url',
    'smtp-host',
    'smtp-port',
    'smtp-user',
    'smtp-password',
    'smtp-secure',
    'smtp-tls-verify',
    'email-from',
    'email-to',
    'email-subject',
    'issue-number',
    'timeout',
    'retries',
    'fail-on-error',
  ],
  plausible: {
    event: ['hotfix-start', 'pre-deploy', 'post-deploy', 'post-incident', 'rollback', 'deployed'],
    status: ['success', 'failure', 'cancelled', 'in-progress', 'ok'],
    ticket: TICKET,
    'ticket-url': ['https://tracker.example.com/{ticket}', 'javascript:alert(1)', '{ticket}'],
    version: ['1.2.4', 'v1.2.4'],
    environment: ['production', 'staging'],
    decision: ['canary promoted'],
    title: ['Deployed', '@everyone <img src=x>'],
    message: ['Line one\nline two', '<!channel>'],
    context: ['{}', '{"version":"2.1.4","tickets":["bd-a1b2"]}', '{"tickets":7}'],
    'slack-webhook-url': ['http://127.0.0.1:9/slack', 'ftp://x', 'https://hooks.slack.com/services/T/B/x'],
    'webhook-url': ['http://127.0.0.1:9/hook', 'file:///etc/passwd', 'http://user:pass@127.0.0.1:9/x'],
    'smtp-url': ['smtp://127.0.0.1:9', 'smtps://u:p@127.0.0.1:9', 'mailto:x'],
    'smtp-host': ['127.0.0.1', 'localhost'],
    'smtp-port': ['9', '0', '70000', '465'],
    'smtp-user': ['bot'],
    'smtp-password': ['s3cret'],
    'smtp-secure': ['auto', 'tls', 'starttls', 'none', 'ssl'],
    'smtp-tls-verify': BOOLEAN,
    'email-from': ['release@example.com', 'Release <release@example.com>', 'not-an-address'],
    'email-to': ['oncall@example.com', 'a@example.com, b@example.com', 'x\r\nBcc: evil@example.com'],
    'email-subject': ['Hotfix', 'x\r\nBcc: evil@example.com'],
    'issue-number': ['1', '404', '0', '-1', '1.5'],
    timeout: ['1s', '100ms', '0s', '1h'],
    retries: ['0', '1', '5', '6', '-1'],
    'fail-on-error': BOOLEAN,
    token: ['ghs_x'],
  },
  async open() {
    const world = await notifyWorld();
    return {
      stage: world,
      run: async (inputs) => [await world.run(inputs)],
      async valid([run]) {
        const sent = jsonOutput<Record<string, { ok: boolean }>>(run!, 'sent');
        if (sent === null || typeof sent !== 'object' || Array.isArray(sent)) return `sent ${run!.outputs.sent}`;
        if (!['true', 'false'].includes(run!.outputs.ok ?? '')) return `ok ${run!.outputs.ok}`;
        return undefined;
      },
      domainFailure: (run, inputs) =>
        /^(true|yes)$/i.test(inputs['fail-on-error'] ?? '') &&
        run.outputs.ok === 'false' &&
        errorsOf(run).length === 1 &&
        errorsOf(run)[0]!.title === 'Notification failed',
    };
  },
};

const canaryKit: FuzzKit = {
  action: 'canary-gate',
  base: (world) => quickGate(world.stage.canary!),
  fuzzable: [
    'canary-url',
    'baseline-url',
    'expect-status',
    'timeout',
    'latency-threshold',
    'body-contains',
    'json-path',
    'json-expect',
    'http-headers',
    'requests-per-interval',
    'concurrency',
    'prometheus-url',
    'prometheus-auth-header',
    'canary-errors-query',
    'canary-total-query',
    'analysis',
    'baseline-error-rate',
    'max-error-rate',
    'alpha',
    'beta',
    'min-samples',
    'max-samples',
    'failure-limit',
    'consecutive-successes',
    'inconclusive-limit',
    'min-requests',
    'no-data-limit',
    'interval',
    'duration',
    'no-data',
    'on-inconclusive',
    'fail-on-abort',
  ],
  plausible: {
    'canary-url': ['http://127.0.0.1:9/health', 'ftp://x', 'http://[::1', 'file:///etc/passwd'],
    'baseline-url': ['http://127.0.0.1:9/health'],
    'expect-status': ['200-399', '2xx', '200,204', '600', '399-200'],
    timeout: ['1s', '100ms', '0s'],
    'latency-threshold': ['500ms', '1ms', '0s'],
    'body-contains': ['ok', 'status'],
    'json-path': ['status', 'checks.db.status', 'items[0].ok', '$..x'],
    'json-expect': ['ok', 'true', '42', '"ok"'],
    'http-headers': ['Authorization: Bearer x', 'X-A: 1\nX-B: 2', 'no colon'],
    'requests-per-interval': ['1', '5', '0', '-1'],
    concurrency: ['1', '5', '0'],
    'prometheus-url': ['http://127.0.0.1:9', 'prometheus'],
    'prometheus-auth-header': ['Authorization: Bearer x', 'token'],
    'canary-errors-query': ['sum(x) or vector(0)'],
    'canary-total-query': ['sum(y)'],
    analysis: ['sprt', 'threshold', 'bayes'],
    'baseline-error-rate': ['0.005', '0.01', '0', '1', '-0.1'],
    'max-error-rate': ['0.05', '0.01', '0', '2'],
    alpha: ['0.05', '0.5', '0'],
    beta: ['0.05', '0.5', '0'],
    'min-samples': ['0', '10', '-1'],
    'max-samples': ['100', 'unlimited', '0'],
    'failure-limit': ['0', '1', '-1'],
    'consecutive-successes': ['1', '2', '0'],
    'inconclusive-limit': ['0', '1'],
    'min-requests': ['1', '3', '100'],
    'no-data-limit': ['0', '1', '4'],
    interval: ['0s', '10ms', '1s', '-1s'],
    duration: ['5s', '20s', '0s'],
    'no-data': ['fail', 'inconclusive', 'pass', 'ignore'],
    'on-inconclusive': ['fail', 'pass'],
    'fail-on-abort': BOOLEAN,
  },
  async open() {
    const world = await canaryWorld();
    return {
      stage: world,
      run: async (inputs) => [await world.run(inputs)],
      async valid([run]) {
        if (!['promote', 'abort', 'inconclusive'].includes(run!.outputs.decision ?? '')) {
          return `decision ${run!.outputs.decision}`;
        }
        return undefined;
      },
      domainFailure: (run) =>
        ['abort', 'inconclusive'].includes(run.outputs.decision ?? '') &&
        errorsOf(run).length === 1 &&
        /^Canary gate: /.test(errorsOf(run)[0]!.title ?? ''),
    };
  },
};

/** Every action under fuzzing. */
export const FUZZ_KITS: readonly FuzzKit[] = [
  versionKit,
  backmergeKit,
  beadsKit,
  rollbackKit,
  planKit,
  breakGlassKit,
  notifyKit,
  canaryKit,
];

/** The fuzzed inputs of `count` cases of a kit, from a seed (the same seed gives the same cases). */
export function fuzzCases(kit: FuzzKit, count: number, seed: number): Record<string, string>[] {
  const valueFor = (input: string) => hostileValue([...(kit.plausible[input] ?? []), ...COMMON_PLAUSIBLE]);
  const arbitrary = fc
    .subarray([...kit.fuzzable], { minLength: 1, maxLength: 2 })
    .chain((names) => fc.tuple(...names.map((name) => valueFor(name).map((value) => [name, value] as const))))
    .map((pairs) => Object.fromEntries(pairs) as Record<string, string>);
  return fc.sample(arbitrary, { numRuns: count, seed });
}

/** A workflow command one of our hostile values carried into the log. */
function smuggled(runs: BundleRun[]): boolean {
  return runs.some((run) =>
    run.commands.some((command) => command.properties.title === 'injected' || command.message === 'injected'),
  );
}

/** Runs one fuzzed case in a world and judges it. */
export async function judgeFuzzCase(
  kit: FuzzKit,
  world: FuzzWorld,
  fuzzed: Record<string, string>,
): Promise<FuzzRecord> {
  const inputs = { ...kit.base(world), ...fuzzed };
  const names = Object.keys(fuzzed);
  const before = await footprintOf(world.stage);
  const requestsBefore = world.stage.api?.requests.length ?? 0;
  const started = Date.now();
  let runs: BundleRun[];
  try {
    runs = list(await world.run(inputs));
  } catch (error) {
    // The harness could not run it at all (a time limit): a defect of the action under that input.
    return {
      action: kit.action,
      inputs,
      fuzzed: names,
      verdict: 'defect',
      problem: `the run did not finish: ${String(error).slice(0, 400)}`,
      injected: existsSync(SENTINEL),
      mutations: 0,
      durationMs: Date.now() - started,
    };
  }
  const durationMs = Date.now() - started;
  const after = await footprintOf(world.stage);
  await world.reset?.();
  const injected = existsSync(SENTINEL);
  if (injected) rmSync(SENTINEL, { force: true });
  const [main] = runs;
  const record: FuzzRecord = {
    action: kit.action,
    inputs,
    fuzzed: names,
    verdict: 'accepted',
    injected,
    mutations: 0,
    durationMs,
  };
  const defect = (problem: string) => Object.assign(record, { verdict: 'defect' as const, problem });

  if (injected) return defect('the sentinel file appeared: a value reached a shell');
  if (smuggled(runs)) return defect('a hostile value became a workflow command in the log');

  if (main!.exitCode === 0) {
    const wrong = await world.valid(runs, inputs, before);
    return wrong === undefined ? record : defect(`exit 0 but ${wrong}`);
  }

  const named = namedInput(main!, declaredInputs(kit.action));
  if (named !== undefined) {
    record.verdict = 'refused';
    record.named = named;
    record.namedFuzzed = names.includes(named);
    const unclear = clearFailureProblem(main!, Object.values(fuzzed));
    if (unclear !== undefined) return defect(`refused, but ${unclear}`);
    // A refusal changes nothing (break-glass audits the attempt: that is all it may write).
    const writes = [...writesBetween(before, after)].filter(([op]) => !world.refusedWrites?.has(op));
    const allowedRefs = new Set(world.refusedRefs?.(inputs) ?? []);
    const refs = changedRefs(before.refs, after.refs).filter((ref) => !allowedRefs.has(ref));
    const deliveries = after.deliveries - before.deliveries;
    const probes = after.probes - before.probes;
    record.mutations = writes.reduce((n, [, count]) => n + count, 0) + refs.length + deliveries + probes;
    if (record.mutations > 0) {
      return defect(
        `refused, yet ${[
          ...writes.map(([op, count]) => `${count}× ${op}`),
          ...refs.map((ref) => `pushed ${ref}`),
          ...(deliveries ? [`${deliveries} deliveries`] : []),
          ...(probes ? [`${probes} probes`] : []),
        ].join(', ')}`,
      );
    }
    // The finish phase of a refused rollback plan reports the failure and changes nothing either.
    const finish = runs[1];
    if (finish && finish.exitCode !== 0) return defect(`finish after a refused plan exited ${finish.exitCode}`);
    return record;
  }

  if (world.domainFailure?.(main!, inputs)) {
    record.verdict = 'domain-failure';
    const wrong = await world.valid(runs, inputs, before);
    return wrong === undefined ? record : defect(`${errorsOf(main!)[0]?.title}, but ${wrong}`);
  }

  const [error] = errorsOf(main!);
  if (standInHeaderFault(world, requestsBefore)) {
    record.verdict = 'artifact';
    record.problem = 'the stand-in answered a created ref with a Location header it could not send';
    return record;
  }
  return defect(
    `exit ${main!.exitCode} with ${errorsOf(main!).length} error(s), first [${error?.title ?? ''}] ` +
      `${(error?.message ?? main!.stderr).slice(0, 300)}`,
  );
}

/**
 * The stand-in puts a created ref's raw name into the Location header; Node refuses to send a header
 * with characters beyond Latin-1 and drops the connection, so the client retries a create that went
 * through (GitHub percent-encodes the header). True when that happened during the run.
 */
function standInHeaderFault(world: FuzzWorld, from: number): boolean {
  return (world.stage.api?.requests ?? []).slice(from).some((request) => {
    const ref = (request.body as { ref?: unknown } | undefined)?.ref;
    return (
      request.operationId === 'git/create-ref' &&
      request.status === 201 &&
      typeof ref === 'string' &&
      [...ref].some((char) => char.codePointAt(0)! > 0xff)
    );
  });
}

/**
 * The work of fuzzing one action with `count` cases, as `lanes` independent tasks: each opens its
 * own world and runs its share of the cases one at a time, so that what a run changed is its own.
 */
export function fuzzTasks(kit: FuzzKit, count: number, seed: number, lanes: number): (() => Promise<FuzzRecord[]>)[] {
  const cases = fuzzCases(kit, count, seed);
  return Array.from({ length: Math.min(lanes, cases.length) }, (_, lane) => async () => {
    const records: FuzzRecord[] = [];
    const world = await kit.open();
    try {
      for (let index = lane; index < cases.length; index += lanes) {
        records.push(await judgeFuzzCase(kit, world, cases[index]!));
      }
    } finally {
      await closeStage(world.stage);
    }
    return records;
  });
}
