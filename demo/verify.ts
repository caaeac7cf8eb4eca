// What the demo left behind, read back from where a person would look (the origin's tags and
// tracker file, the API's pull requests and deployments), and the checks that decide its exit code.
import { runSandboxGit } from '@hotfix-actions/testkit';
import { DEMO_BAD_TAG } from './fleet.js';
import { DEMO_RELEASE_BRANCH, DEMO_RUNNING_TAG, DEMO_TRACKER_BRANCH } from './repository.js';
import { TICKET_A, TICKET_B } from './scenarios.js';
import type { TimelineEntry } from './timeline.js';
import type { DemoWorld } from './world.js';

/** A ticket as the tracker on origin holds it (on its sync branch). */
export interface DemoTicket {
  id: string;
  title: string;
  status: string;
  priority: number;
  issueType: string;
  labels: string[];
  closeReason: string | null;
  dependencies: { dependsOn: string; type: string }[];
}

/** The end state of the demo. */
export interface DemoEndState {
  /** Version tags on origin with the commit each names, oldest first. */
  tags: { name: string; sha: string; onReleaseBranch: boolean }[];
  pulls: {
    number: number;
    title: string;
    head: string;
    base: string;
    state: string;
    merged: boolean;
    labels: string[];
  }[];
  releases: string[];
  tickets: DemoTicket[];
  deployments: {
    id: number;
    environment: string;
    ref: string;
    task: string;
    description: string;
    states: string[];
    rollbackOf: number | null;
  }[];
  /** The version each slot runs at the end. */
  running: Record<string, string | null>;
  /** What the team received, in order. */
  notifications: { channel: 'slack' | 'webhook' | 'email' | 'comment'; text: string }[];
}

/** One expectation and whether the run met it. */
export interface DemoCheck {
  name: string;
  ok: boolean;
  /** What was found instead, when it failed. */
  detail: string;
}

interface RawTicket {
  id: string;
  title?: string;
  status?: string;
  priority?: number;
  issue_type?: string;
  labels?: string[];
  close_reason?: string;
  dependencies?: { issue_id: string; depends_on_id: string; type: string }[];
}

/** Reads the end state from the origin and the stand-in. */
export async function collectDemoState(world: DemoWorld): Promise<DemoEndState> {
  const origin = world.repo.sandbox.origin;
  const git = (args: string[]) => runSandboxGit(args, origin);
  const tagLines = (
    await git([
      'for-each-ref',
      '--sort=version:refname',
      '--format=%(refname:short) %(*objectname)%(objectname)',
      'refs/tags/v*',
    ])
  )
    .split('\n')
    .filter(Boolean);
  const tags = [];
  for (const line of tagLines) {
    const [name = ''] = line.split(' ');
    const sha = await git(['rev-parse', `${name}^{commit}`]);
    const onReleaseBranch = await runSandboxGit(['merge-base', '--is-ancestor', sha, DEMO_RELEASE_BRANCH], origin).then(
      () => true,
      () => false,
    );
    tags.push({ name, sha, onReleaseBranch });
  }
  const jsonl = await git(['show', `${DEMO_TRACKER_BRANCH}:.beads/issues.jsonl`]);
  const tickets = jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RawTicket)
    .map((raw): DemoTicket => ({
      id: raw.id,
      title: raw.title ?? '',
      status: raw.status ?? '',
      priority: raw.priority ?? -1,
      issueType: raw.issue_type ?? '',
      labels: raw.labels ?? [],
      closeReason: raw.close_reason ?? null,
      dependencies: (raw.dependencies ?? []).map((d) => ({ dependsOn: d.depends_on_id, type: d.type })),
    }));
  const { state } = world.api;
  return {
    tags,
    pulls: state.pulls.map((pull) => ({
      number: pull.number,
      title: pull.title,
      head: pull.head,
      base: pull.base,
      state: pull.state,
      merged: pull.merged,
      labels: [...pull.labels],
    })),
    releases: state.releases.map((release) => release.tagName),
    tickets,
    deployments: state.deployments.map((deployment) => {
      const payload = typeof deployment.payload === 'object' ? deployment.payload : {};
      const rollbackOf = (payload as { rollback_of?: unknown }).rollback_of;
      return {
        id: deployment.id,
        environment: deployment.environment,
        ref: deployment.ref,
        task: deployment.task,
        description: deployment.description ?? '',
        states: deployment.statuses.map((status) => status.state),
        rollbackOf: typeof rollbackOf === 'number' ? rollbackOf : null,
      };
    }),
    running: {
      staging: world.fleet.running('staging')?.tag ?? null,
      canary: world.fleet.running('canary')?.tag ?? null,
      production: world.fleet.running('production')?.tag ?? null,
    },
    notifications: [
      ...world.chat.requests.map((request) => ({
        channel: request.path.startsWith('/slack') ? ('slack' as const) : ('webhook' as const),
        text: notificationText(request.body),
      })),
      ...world.mail.messages.map((message) => ({ channel: 'email' as const, text: message.subject ?? '' })),
      ...state.comments.map((comment) => ({
        channel: 'comment' as const,
        // The first line a reader sees (notify starts its comments with an HTML marker).
        text: `#${comment.issueNumber}: ${
          comment.body.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('<!--')) ?? ''
        }`,
      })),
    ],
  };
}

/** The headline of a webhook body: the generic payload's `title`, or Slack's `text`. */
function notificationText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as { text?: unknown; title?: unknown };
  const text = typeof record.title === 'string' ? record.title : typeof record.text === 'string' ? record.text : '';
  return text.split('\n')[0] ?? '';
}

function decisionOf(entries: readonly TimelineEntry[], scenario: string, stage: string): string | undefined {
  return entries.find((entry) => entry.scenario === scenario && entry.stage === stage)?.decision;
}

/** The regression ticket: the P0 that depends on hotfix B's ticket. */
export function regressionTicketOf(state: DemoEndState): DemoTicket | undefined {
  return state.tickets.find(
    (ticket) => ticket.priority === 0 && ticket.dependencies.some((d) => d.dependsOn === TICKET_B),
  );
}

/** The checks that make the exit code: both hotfixes ended as the seed process says they must. */
export function demoExpectations(state: DemoEndState, entries: readonly TimelineEntry[]): DemoCheck[] {
  const checks: DemoCheck[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail: ok ? '' : detail });
  const tag = (name: string) => state.tags.find((t) => t.name === name);
  const ticket = (id: string) => state.tickets.find((t) => t.id === id);
  const production = state.deployments.filter((d) => d.environment === 'production');
  const last = (states: string[]) => states.filter((s) => s !== 'inactive').at(-1);

  for (const [scenario, stage, expected] of [
    ['A', '6 canary', 'promote'],
    ['B', '6 canary', 'abort'],
    ['B', '8 rollback', 'rolled-back'],
  ] as const) {
    const found = decisionOf(entries, scenario, stage);
    check(`hotfix ${scenario}: ${stage} decided ${expected}`, found === expected, `decision ${found ?? 'missing'}`);
  }
  const failed = entries.filter((entry) => !entry.ok);
  check(
    'every stage ended as expected',
    failed.length === 0,
    failed.map((e) => `${e.scenario} ${e.stage}: ${e.decision}`).join('; '),
  );

  for (const name of ['v1.2.4', DEMO_BAD_TAG]) {
    const found = tag(name);
    check(
      `${name} is tagged on ${DEMO_RELEASE_BRANCH}`,
      found?.onReleaseBranch === true,
      found ? 'not on the branch' : 'no such tag',
    );
  }
  check(
    'the releases v1.2.4 and v1.2.5 exist',
    state.releases.includes('v1.2.4') && state.releases.includes(DEMO_BAD_TAG),
    `releases: ${state.releases.join(', ') || 'none'}`,
  );
  const hotfixPulls = state.pulls.filter((p) => p.base === DEMO_RELEASE_BRANCH && p.head.startsWith('hotfix/'));
  check(
    `both hotfix pull requests are merged into ${DEMO_RELEASE_BRANCH}`,
    hotfixPulls.length === 2 && hotfixPulls.every((p) => p.merged),
    `${hotfixPulls.filter((p) => p.merged).length} of ${hotfixPulls.length} merged`,
  );
  const backmergePull = state.pulls.find((p) => p.base === 'main' && p.head.includes(TICKET_A));
  check(
    `a back-merge pull request of ${TICKET_A} to main is open`,
    backmergePull?.state === 'open',
    backmergePull ? `#${backmergePull.number} is ${backmergePull.state}` : 'none',
  );

  const a = ticket(TICKET_A);
  check(
    `${TICKET_A} is closed, fixed in v1.2.4`,
    a?.status === 'closed' && (a.closeReason ?? '').includes('v1.2.4'),
    `status ${a?.status ?? 'missing'}, reason ${a?.closeReason ?? 'none'}`,
  );
  const b = ticket(TICKET_B);
  check(`${TICKET_B} stays in progress`, b?.status === 'in_progress', `status ${b?.status ?? 'missing'}`);
  const regression = regressionTicketOf(state);
  check(
    `a P0 regression ticket blocked by ${TICKET_B} is open`,
    regression !== undefined &&
      regression.status === 'open' &&
      regression.issueType === 'bug' &&
      regression.labels.includes('regression') &&
      regression.dependencies.some((d) => d.dependsOn === TICKET_B && d.type === 'blocks'),
    regression ? JSON.stringify(regression) : 'none',
  );

  const review = state.tickets.find((t) =>
    t.dependencies.some((d) => d.type === 'discovered-from' && d.dependsOn === regression?.id),
  );
  check(
    'a post-incident review is scheduled, discovered from the regression',
    review !== undefined && review.status === 'open' && review.labels.includes('postmortem'),
    review ? JSON.stringify(review) : 'none',
  );

  const deployOf = (ref: string) => production.find((d) => d.ref === ref && d.task !== 'rollback');
  const good = deployOf('v1.2.4');
  check(
    'production deployment of v1.2.4 succeeded',
    good !== undefined && last(good.states) === 'success',
    `states ${good?.states.join(' → ') ?? 'none'}`,
  );
  const bad = deployOf(DEMO_BAD_TAG);
  check(
    `production deployment of ${DEMO_BAD_TAG} is marked failed`,
    bad !== undefined && last(bad.states) === 'failure',
    `states ${bad?.states.join(' → ') ?? 'none'}`,
  );
  const rollbackDeployment = production.find((d) => d.task === 'rollback');
  check(
    'the rollback to v1.2.4 is recorded as a successful deployment',
    rollbackDeployment !== undefined &&
      rollbackDeployment.ref === 'v1.2.4' &&
      last(rollbackDeployment.states) === 'success',
    rollbackDeployment ? `${rollbackDeployment.ref}: ${rollbackDeployment.states.join(' → ')}` : 'none',
  );
  check(
    'production runs v1.2.4 at the end',
    state.running.production === 'v1.2.4' && state.running.canary === null,
    `production ${state.running.production ?? 'nothing'}, canary ${state.running.canary ?? 'nothing'}`,
  );
  const count = (channel: string) => state.notifications.filter((n) => n.channel === channel).length;
  const moments = entries.filter((entry) => entry.step === 'notify').length;
  check(
    `the team was told at each of the ${moments} moments, on every channel`,
    moments > 0 &&
      ['slack', 'webhook', 'email'].every((channel) => count(channel) === moments) &&
      count('comment') >= 2,
    `slack ${count('slack')}, webhook ${count('webhook')}, e-mail ${count('email')}, comments ${count('comment')}`,
  );
  check(`${DEMO_RUNNING_TAG} was the starting point`, tag(DEMO_RUNNING_TAG) !== undefined, 'missing');
  return checks;
}
