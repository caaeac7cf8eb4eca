import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../src/errors.js';
import {
  FORWARD_PORT_LAG_SLA_BUSINESS_DAYS,
  HOTFIX_TIME_TO_DEPLOY_SLA_MS,
  addBusinessDays,
  backmergeAutomationOutcome,
  businessDaysBetween,
  businessMillisBetween,
  changedTestFiles,
  closedIssueNumbers,
  computeHotfixMetrics,
  deploymentSucceededAt,
  formatMetricsDuration,
  forwardPortCandidates,
  hotfixCarriers,
  hotfixTicketFacts,
  isBackmergePullRequest,
  isBusinessDay,
  isHotfixPullRequest,
  metricsStatistics,
  metricsTicketFromBeads,
  parseBackmergePullMarker,
  parseHolidayDates,
  parseMetricsSince,
  parseUtcOffset,
  pullNamesTicket,
  pullRequestTicketIds,
  shippingCandidates,
  type HotfixFacts,
  type MetricsDeployment,
  type MetricsPullRequest,
} from '../src/metrics.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const sha = (n: number) => n.toString(16).padStart(40, '0');
const marker = (source: string, target: string) =>
  `<!-- hotfix-actions:backmerge source=${source} target=${target} strategy=merge sha=${sha(1)} -->`;

function pull(number: number, extra: Partial<MetricsPullRequest> = {}): MetricsPullRequest {
  return {
    number,
    title: `change ${number}`,
    body: '',
    head: `hotfix/bd-a1b2-change-${number}`,
    headSha: sha(number * 10),
    base: 'release/v1.2',
    baseSha: sha(number * 10 + 1),
    labels: [],
    draft: false,
    state: 'closed',
    createdAt: '2024-03-04T09:00:00Z',
    mergedAt: '2024-03-04T10:00:00Z',
    mergeCommitSha: sha(number * 10 + 2),
    ...extra,
  };
}

function deployment(id: number, extra: Partial<MetricsDeployment> = {}): MetricsDeployment {
  return {
    id,
    sha: sha(id),
    ref: `v1.2.${id}`,
    task: 'deploy',
    environment: 'production',
    createdAt: '2024-03-04T11:00:00Z',
    statuses: [{ state: 'success', createdAt: '2024-03-04T11:30:00Z' }],
    ...extra,
  };
}

function facts(number: number, extra: Partial<HotfixFacts> = {}, pullExtra: Partial<MetricsPullRequest> = {}) {
  return {
    pull: pull(number, pullExtra),
    ticket: `bd-t${number}x`,
    regression: false,
    regressionOf: [],
    forwardPort: { kind: 'not-needed' },
    testFiles: ['test/a.test.ts'],
    ...extra,
  } as HotfixFacts;
}

const AS_OF = '2024-03-20T12:00:00Z';

function metrics(hotfixes: HotfixFacts[], extra: Partial<Parameters<typeof computeHotfixMetrics>[0]> = {}) {
  return computeHotfixMetrics({ hotfixes, backmerges: [], deployments: [], asOf: AS_OF, ...extra });
}

describe('parseMetricsSince', () => {
  const now = new Date('2024-03-20T12:00:00Z');

  it.each([
    ['90d', '2023-12-21T12:00:00.000Z'],
    ['12w', '2023-12-27T12:00:00.000Z'],
    ['36h', '2024-03-19T00:00:00.000Z'],
    [' 2D ', '2024-03-18T12:00:00.000Z'],
    ['2024-01-01', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T09:30:00Z', '2024-01-01T09:30:00.000Z'],
    ['2024-01-01T09:30:00+02:00', '2024-01-01T07:30:00.000Z'],
  ])('reads %j', (text, expected) => {
    expect(parseMetricsSince(text, now).toISOString()).toBe(expected);
  });

  it.each(['', 'last week', '90', '90m', '2024-13-45', '2024/01/01', '-3d'])(
    'refuses %j naming the input and the accepted forms',
    (text) => {
      expect(() => parseMetricsSince(text, now, 'since')).toThrow(ConfigurationError);
      expect(() => parseMetricsSince(text, now, 'since')).toThrow(/Input "since" must be .*90d.*2024-01-01/);
    },
  );
});

describe('formatMetricsDuration', () => {
  it.each([
    [0, '0m'],
    [-5, '0m'],
    [29_000, '0m'],
    [45 * 60_000, '45m'],
    [2 * HOUR, '2h'],
    [2.5 * HOUR, '2h 30m'],
    [24 * HOUR, '1d'],
    [28 * HOUR, '1d 4h'],
    [3 * DAY + 59 * 60_000, '3d 1h'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatMetricsDuration(ms)).toBe(text);
  });
});

describe('business calendar', () => {
  // 2024-03-08 is a Friday, 2024-03-11 a Monday.
  it('counts whole 24-hour business days and skips the weekend', () => {
    expect(businessMillisBetween('2024-03-08T16:00:00Z', '2024-03-11T10:00:00Z')).toBe(18 * HOUR);
    expect(businessMillisBetween('2024-03-09T00:00:00Z', '2024-03-11T00:00:00Z')).toBe(0);
    expect(businessMillisBetween('2024-03-04T09:00:00Z', '2024-03-05T09:00:00Z')).toBe(DAY);
    expect(businessDaysBetween('2024-03-08T16:00:00Z', '2024-03-12T10:00:00Z')).toBe(1.75);
    expect(businessDaysBetween('2024-03-04T00:00:00Z', '2024-03-18T00:00:00Z')).toBe(10);
  });

  it('is 0 when the end is not after the start', () => {
    expect(businessMillisBetween('2024-03-05T10:00:00Z', '2024-03-05T10:00:00Z')).toBe(0);
    expect(businessMillisBetween('2024-03-05T10:00:00Z', '2024-03-04T10:00:00Z')).toBe(0);
  });

  it('leaves holidays out', () => {
    const calendar = { holidays: ['2024-03-11'] };
    expect(isBusinessDay('2024-03-11', calendar)).toBe(false);
    expect(isBusinessDay('2024-03-12', calendar)).toBe(true);
    expect(businessMillisBetween('2024-03-08T16:00:00Z', '2024-03-12T10:00:00Z', calendar)).toBe(18 * HOUR);
  });

  it('starts and ends days in the team time zone', () => {
    // Friday 23:00 UTC is already Saturday in UTC+02:00, and Monday 01:00 local is Sunday 23:00 UTC.
    const plusTwo = { utcOffsetMinutes: 120 };
    expect(businessMillisBetween('2024-03-08T21:00:00Z', '2024-03-08T23:00:00Z', plusTwo)).toBe(1 * HOUR);
    expect(businessMillisBetween('2024-03-10T21:00:00Z', '2024-03-10T23:00:00Z', plusTwo)).toBe(1 * HOUR);
    expect(businessMillisBetween('2024-03-08T21:00:00Z', '2024-03-08T23:00:00Z')).toBe(2 * HOUR);
  });

  it('takes another weekend (Friday and Saturday)', () => {
    const calendar = { weekend: [5, 6] };
    expect(isBusinessDay('2024-03-08', calendar)).toBe(false);
    expect(isBusinessDay('2024-03-10', calendar)).toBe(true);
    expect(businessDaysBetween('2024-03-07T12:00:00Z', '2024-03-10T12:00:00Z', calendar)).toBe(1);
  });

  it('refuses a calendar without business days or with an impossible offset', () => {
    expect(() => businessMillisBetween(0, DAY, { weekend: [0, 1, 2, 3, 4, 5, 6] })).toThrow(/weekend/);
    expect(() => businessMillisBetween(0, DAY, { weekend: [7] })).toThrow(ConfigurationError);
    expect(() => businessMillisBetween(0, DAY, { utcOffsetMinutes: 15 * 60 })).toThrow(/utc-offset/);
  });

  it('adds business days over weekends and holidays', () => {
    expect(addBusinessDays('2024-03-08T16:00:00Z', 1).toISOString()).toBe('2024-03-11T16:00:00.000Z');
    expect(addBusinessDays('2024-03-09T10:00:00Z', 1).toISOString()).toBe('2024-03-12T00:00:00.000Z');
    expect(addBusinessDays('2024-03-08T16:00:00Z', 1, { holidays: ['2024-03-11'] }).toISOString()).toBe(
      '2024-03-12T16:00:00.000Z',
    );
    expect(addBusinessDays('2024-03-05T06:00:00Z', 0.25).toISOString()).toBe('2024-03-05T12:00:00.000Z');
    expect(addBusinessDays('2024-03-05T06:00:00Z', 0).toISOString()).toBe('2024-03-05T06:00:00.000Z');
  });

  const start = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
  const span = fc.integer({ min: 0, max: 40 * DAY });
  const calendar = fc.record({
    utcOffsetMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
    holidays: fc
      .array(fc.integer({ min: 0, max: 3700 }), { maxLength: 5 })
      .map((days) => days.map((day) => new Date(Date.UTC(2020, 0, 1) + day * DAY).toISOString().slice(0, 10))),
  });

  it('business time adds up over any split, and never exceeds the wall-clock time', () => {
    fc.assert(
      fc.property(start, span, span, calendar, (from, first, second, cal) => {
        const whole = businessMillisBetween(from, from + first + second, cal);
        expect(whole).toBe(
          businessMillisBetween(from, from + first, cal) +
            businessMillisBetween(from + first, from + first + second, cal),
        );
        expect(whole).toBeLessThanOrEqual(first + second);
        expect(whole).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('addBusinessDays is the inverse of businessDaysBetween', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 0, max: 20 * 24 }), calendar, (from, hours, cal) => {
        const end = addBusinessDays(from, hours / 24, cal);
        expect(businessMillisBetween(from, end, cal)).toBe(hours * HOUR);
      }),
    );
  });
});

describe('parseUtcOffset and parseHolidayDates', () => {
  it.each([
    ['Z', 0],
    ['UTC', 0],
    ['+02:00', 120],
    ['-05:30', -330],
    ['+0530', 330],
    ['+1', 60],
    ['UTC+14', 840],
  ])('%s is %d minutes', (text, minutes) => {
    expect(parseUtcOffset(text)).toBe(minutes);
  });

  it.each(['', '2', '+15:00', '+02:75', 'CET', 'Europe/Paris'])('refuses %j', (text) => {
    expect(() => parseUtcOffset(text, 'utc-offset')).toThrow(/Input "utc-offset" must be an offset from UTC/);
  });

  it('reads holiday lists, sorted and unique, and refuses impossible dates', () => {
    expect(parseHolidayDates(['2024-12-26,2024-12-25', '2024-12-25 2025-01-01'])).toEqual([
      '2024-12-25',
      '2024-12-26',
      '2025-01-01',
    ]);
    expect(() => parseHolidayDates(['2024-02-30'])).toThrow(/Input "holiday" takes dates as YYYY-MM-DD/);
    expect(() => parseHolidayDates(['25/12/2024'])).toThrow(ConfigurationError);
  });
});

describe('recognising pull requests', () => {
  it('a hotfix is merged, from hotfix/ or labelled hotfix, and not a back-merge', () => {
    expect(isHotfixPullRequest(pull(1))).toBe(true);
    expect(isHotfixPullRequest(pull(1, { mergedAt: null, state: 'open' }))).toBe(false);
    expect(isHotfixPullRequest(pull(1, { head: 'fix-login', labels: ['Hotfix'] }))).toBe(true);
    expect(isHotfixPullRequest(pull(1, { head: 'fix-login' }))).toBe(false);
    expect(isHotfixPullRequest(pull(1, { head: 'hf/bd-a1b2' }), { branchPrefix: 'hf/' })).toBe(true);
    expect(isHotfixPullRequest(pull(1, { body: marker('hotfix/bd-a1b2', 'main') }))).toBe(false);
  });

  it('a back-merge has the marker, a back-merge head or a back-merge title', () => {
    expect(isBackmergePullRequest(pull(1, { head: 'x', body: `text\n\n${marker('release/v1.2', 'main')}` }))).toBe(
      true,
    );
    expect(isBackmergePullRequest(pull(1, { head: 'backmerge/bd-a1b2-to-main' }))).toBe(true);
    expect(isBackmergePullRequest(pull(1, { head: 'forward-port/x' }))).toBe(true);
    expect(isBackmergePullRequest(pull(1, { head: 'x', title: 'Back-merge release/v1.2 into main' }))).toBe(true);
    expect(isBackmergePullRequest(pull(1, { head: 'x', title: 'Forward-port bd-a1b2' }))).toBe(true);
    expect(isBackmergePullRequest(pull(1))).toBe(false);
  });

  it('reads the backmerge-pr marker', () => {
    expect(parseBackmergePullMarker(marker('release/v1.2', 'main'))).toEqual({
      source: 'release/v1.2',
      target: 'main',
      strategy: 'merge',
      sha: sha(1),
    });
    expect(parseBackmergePullMarker('<!-- hotfix-actions:backmerge source=a -->')).toBeUndefined();
    expect(parseBackmergePullMarker(null)).toBeUndefined();
  });

  it('finds tickets and closed issues', () => {
    expect(pullRequestTicketIds(pull(1, { title: 'fix bd-c3d4', body: 'see bd-e5f6' }))).toEqual([
      'bd-a1b2',
      'bd-c3d4',
      'bd-e5f6',
    ]);
    expect(closedIssueNumbers('Fixes #12, resolves: #7 and closes #12; see #99; prefix#5')).toEqual([12, 7]);
  });

  it('counts test files, never removed ones', () => {
    expect(
      changedTestFiles([
        { filename: 'src/login.ts', status: 'modified' },
        { filename: 'test/login.test.ts', status: 'added' },
        { filename: 'src/old.spec.ts', status: 'removed' },
        { filename: 'pkg/login_test.go', status: 'modified' },
      ]),
    ).toEqual(['test/login.test.ts', 'pkg/login_test.go']);
    expect(changedTestFiles([{ filename: 'checks/a.ts' }], ['checks/'])).toEqual(['checks/a.ts']);
  });
});

describe('tickets', () => {
  it('reads a Beads record: creation, priority, labels, dependencies', () => {
    expect(
      metricsTicketFromBeads({
        id: 'bd-c3d4',
        priority: 0,
        created_at: '2024-03-11T08:50:00Z',
        labels: ['emergency', 'regression'],
        dependencies: [{ issue_id: 'bd-c3d4', depends_on_id: 'bd-a1b2', type: 'discovered-from' }],
      }),
    ).toEqual({
      id: 'bd-c3d4',
      createdAt: '2024-03-11T08:50:00Z',
      severity: 'P0',
      labels: ['emergency', 'regression'],
      relatedIds: ['bd-a1b2'],
    });
    expect(metricsTicketFromBeads({ id: 'bd-x1y2', priority: 9 })).toEqual({
      id: 'bd-x1y2',
      labels: [],
      relatedIds: [],
    });
    expect(metricsTicketFromBeads({ title: 'no id' })).toBeUndefined();
  });

  it('takes the most severe severity and the earliest incident time of the linked tickets', () => {
    const facts = hotfixTicketFacts(pull(4, { labels: ['P2'], createdAt: '2024-03-04T09:00:00Z' }), [
      { id: 'bd-a1b2', createdAt: '2024-03-04T08:00:00Z', severity: 'P1', labels: [], relatedIds: [] },
      { id: '#12', createdAt: '2024-03-04T07:30:00Z', labels: ['sev0'], relatedIds: [] },
    ]);
    expect(facts).toEqual({
      ticket: 'bd-a1b2',
      severity: 'P0',
      severitySource: '#12 label sev0',
      incidentAt: '2024-03-04T07:30:00Z',
      incidentSource: '#12',
      regression: false,
      regressionOf: [],
    });
    expect(hotfixTicketFacts(pull(4), [])).toEqual({ ticket: 'bd-a1b2', regression: false, regressionOf: [] });
  });

  it('a regression fix names what it repairs: ticket dependencies, other tickets, pull requests', () => {
    const facts = hotfixTicketFacts(
      pull(9, {
        head: 'hotfix/bd-c3d4-again',
        labels: ['regression'],
        body: 'Resolves bd-c3d4. Regression of #4 (bd-a1b2). Fixes #12.',
      }),
      [
        { id: 'bd-c3d4', labels: [], relatedIds: ['bd-z9y8'] },
        { id: '#12', labels: [], relatedIds: [] },
      ],
    );
    expect(facts.regression).toBe(true);
    expect(facts.regressionOf).toEqual(['bd-z9y8', 'bd-a1b2', '#4']);
  });
});

describe('candidates', () => {
  it('shipping candidates: production, not rollbacks, succeeded after the merge, earliest success first', () => {
    const late = deployment(1, { statuses: [{ state: 'success', createdAt: '2024-03-04T15:00:00Z' }] });
    const early = deployment(2, {
      statuses: [
        { state: 'success', createdAt: '2024-03-04T12:00:00Z' },
        { state: 'in_progress', createdAt: '2024-03-04T11:00:00Z' },
      ],
    });
    const before = deployment(3, { statuses: [{ state: 'success', createdAt: '2024-03-04T09:00:00Z' }] });
    const failed = deployment(4, { statuses: [{ state: 'failure', createdAt: '2024-03-04T12:00:00Z' }] });
    const staging = deployment(5, { environment: 'staging' });
    const rollback = deployment(6, { task: 'rollback' });
    const all = [late, early, before, failed, staging, rollback];
    expect(shippingCandidates(all, '2024-03-04T10:00:00Z').map((one) => [one.deployment.id, one.succeededAt])).toEqual([
      [2, '2024-03-04T12:00:00Z'],
      [1, '2024-03-04T15:00:00Z'],
    ]);
    expect(shippingCandidates(all, '2024-03-04T10:00:00Z', ['Staging']).map((one) => one.deployment.id)).toEqual([5]);
    expect(deploymentSucceededAt(failed)).toBeUndefined();
  });

  it('forward-port candidates: back-merges into the trunk merged after the hotfix, then open ones', () => {
    const hotfix = pull(1, { mergedAt: '2024-03-04T10:00:00Z' });
    const back = (n: number, extra: Partial<MetricsPullRequest>) =>
      pull(n, { head: `backmerge/x-${n}`, base: 'main', ...extra });
    const pulls = [
      back(2, { mergedAt: '2024-03-06T10:00:00Z' }),
      back(3, { mergedAt: '2024-03-05T10:00:00Z' }),
      back(4, { mergedAt: '2024-03-03T10:00:00Z' }),
      back(5, { mergedAt: null, state: 'open', createdAt: '2024-03-04T11:00:00Z' }),
      back(6, { mergedAt: null, state: 'closed' }),
      back(7, { base: 'release/v1.3', mergedAt: '2024-03-05T00:00:00Z' }),
      pull(8, { base: 'main', mergedAt: '2024-03-05T00:00:00Z' }),
    ];
    expect(forwardPortCandidates(hotfix, pulls, 'main').map((one) => one.number)).toEqual([3, 2, 5]);
  });

  it('a back-merge names a ticket only when opened after the hotfix merged', () => {
    const back = pull(2, { head: 'backmerge/bd-a1b2-to-main', createdAt: '2024-03-04T10:05:00Z' });
    expect(pullNamesTicket(back, 'bd-a1b2', '2024-03-04T10:00:00Z')).toBe(true);
    expect(pullNamesTicket(back, 'bd-a1b2', '2024-03-04T11:00:00Z')).toBe(false);
    expect(pullNamesTicket(back, 'bd-c3d4', '2024-03-04T10:00:00Z')).toBe(false);
    expect(pullNamesTicket(back, undefined, '2024-03-04T10:00:00Z')).toBe(false);
  });

  it('carriers of a trunk-first hotfix: later merges naming its ticket into another base', () => {
    const hotfix = pull(1, { base: 'main', mergedAt: '2024-03-04T10:00:00Z' });
    const pulls = [
      pull(2, { base: 'release/v1.2', mergedAt: '2024-03-04T12:00:00Z' }),
      pull(3, { base: 'main', mergedAt: '2024-03-04T12:00:00Z' }),
      pull(4, { base: 'release/v1.2', mergedAt: '2024-03-04T09:00:00Z' }),
      pull(5, { base: 'release/v1.2', head: 'hotfix/bd-c3d4', mergedAt: '2024-03-04T12:00:00Z' }),
      pull(6, { base: 'release/v1.2', mergedAt: null, state: 'open' }),
    ];
    expect(hotfixCarriers(hotfix, 'bd-a1b2', pulls).map((one) => one.number)).toEqual([2]);
    expect(hotfixCarriers(hotfix, undefined, pulls)).toEqual([]);
  });
});

describe('automation outcome and statistics', () => {
  it('clean, conflict (label or Conflicts section), abandoned, open', () => {
    expect(backmergeAutomationOutcome(pull(1))).toBe('clean');
    expect(backmergeAutomationOutcome(pull(1, { labels: ['Backmerge-Conflict'] }))).toBe('conflict');
    expect(backmergeAutomationOutcome(pull(1, { body: 'x\n\n### Conflicts\n\nfiles' }))).toBe('conflict');
    expect(backmergeAutomationOutcome(pull(1, { labels: ['conflicted'] }), 'conflicted')).toBe('conflict');
    expect(backmergeAutomationOutcome(pull(1, { mergedAt: null }))).toBe('abandoned');
    expect(backmergeAutomationOutcome(pull(1, { mergedAt: null, state: 'open', draft: true, labels: [] }))).toBe(
      'open',
    );
  });

  it('median, mean, nearest-rank p90 and max', () => {
    expect(metricsStatistics([])).toBeUndefined();
    expect(metricsStatistics([5])).toEqual({ count: 1, median: 5, mean: 5, p90: 5, max: 5 });
    expect(metricsStatistics([4, 1, 3, 2])).toEqual({ count: 4, median: 2.5, mean: 2.5, p90: 4, max: 4 });
    expect(metricsStatistics([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])!.p90).toBe(9);
  });
});

describe('computeHotfixMetrics', () => {
  const shipped = (hoursAfterStart: number, id = 100) => ({
    id,
    sha: sha(id),
    version: 'v1.2.4',
    succeededAt: new Date(Date.parse('2024-03-04T09:00:00Z') + hoursAfterStart * HOUR).toISOString(),
  });

  it('time to deploy runs from the PR, or from an earlier incident ticket, to the shipping deployment', () => {
    const report = metrics([
      facts(1, { shipment: shipped(3) }),
      facts(2, { shipment: shipped(3), incidentAt: '2024-03-04T08:00:00Z', incidentSource: 'bd-t2x' }),
      facts(3, { shipment: shipped(3), incidentAt: '2024-03-04T10:00:00Z', incidentSource: 'bd-t3x' }),
    ]);
    expect(report.rows.map((row) => [row.start, row.timeToDeployMs / HOUR])).toEqual([
      [{ at: '2024-03-04T09:00:00Z', source: '#1' }, 3],
      [{ at: '2024-03-04T08:00:00Z', source: 'bd-t2x' }, 4],
      [{ at: '2024-03-04T09:00:00Z', source: '#3' }, 3],
    ]);
    expect(report.rows[0]).toMatchObject({ version: 'v1.2.4', deployOngoing: false });
    expect(report.summary.timeToDeploy).toMatchObject({ count: 3, median: 3 * HOUR, max: 4 * HOUR });
  });

  it('a hotfix not deployed yet counts up to the report time, as ongoing', () => {
    const report = metrics([facts(1)], { asOf: '2024-03-04T12:00:00Z' });
    expect(report.rows[0]).toMatchObject({ timeToDeployMs: 3 * HOUR, deployOngoing: true });
    expect(report.summary.timeToDeploy).toBeUndefined();
    expect(report.summary.notDeployed).toBe(1);
  });

  it('flags P0 over 2 h and P1 over 24 h to deployment, at the boundary exactly', () => {
    expect(HOTFIX_TIME_TO_DEPLOY_SLA_MS).toEqual({ P0: 2 * HOUR, P1: 24 * HOUR });
    const report = metrics([
      facts(1, { severity: 'P0', shipment: shipped(2) }),
      facts(2, { severity: 'P0', shipment: shipped(2.01) }),
      facts(3, { severity: 'P1', shipment: shipped(24) }),
      facts(4, { severity: 'P1', shipment: shipped(25) }),
      facts(5, { severity: 'P2', shipment: shipped(100) }),
      facts(6, { shipment: shipped(100) }),
      facts(7, { severity: 'P0' }),
    ]);
    expect(report.breaches.map((breach) => [breach.hotfix, breach.kind, breach.ongoing])).toEqual([
      [2, 'time-to-deploy', false],
      [4, 'time-to-deploy', false],
      [7, 'time-to-deploy', true],
    ]);
    expect(report.breaches[1]).toMatchObject({ measured: 25, limit: 24, unit: 'hours' });
    expect(report.breaches[1]!.message).toBe('#4 (P1) took 1d 1h to reach production; the P1 target is 24 h.');
    expect(report.breaches[2]!.message).toMatch(
      /^#7 \(P0\) is not in production after \d+d \d+h; the P0 target is 2 h\.$/,
    );
  });

  it('forward-port lag in business days: merged, open and missing count, direct and trunk-first do not', () => {
    const friday = { mergedAt: '2024-03-08T16:00:00Z' };
    const report = metrics(
      [
        facts(1, { forwardPort: { kind: 'merged', pull: 11, mergedAt: '2024-03-11T10:00:00Z' } }, friday),
        facts(2, { forwardPort: { kind: 'merged', pull: 12, mergedAt: '2024-03-12T10:00:00Z' } }, friday),
        facts(3, { forwardPort: { kind: 'open', pull: 13 } }, friday),
        facts(4, { forwardPort: { kind: 'missing' } }, friday),
        facts(5, { forwardPort: { kind: 'direct' } }, friday),
        facts(6, { forwardPort: { kind: 'not-needed' } }, friday),
      ],
      { asOf: '2024-03-11T12:00:00Z' },
    );
    expect(
      report.rows.map((row) => [row.forwardPort.state, row.forwardPort.lagBusinessDays, row.forwardPort.ongoing]),
    ).toEqual([
      ['merged', 0.75, false],
      ['merged', 1.75, false],
      ['open', 20 / 24, true],
      ['missing', 20 / 24, true],
      ['direct', undefined, false],
      ['not-needed', undefined, false],
    ]);
    expect(report.rows[0]!.forwardPort.dueBy).toBe('2024-03-11T16:00:00.000Z');
    expect(report.breaches.map((breach) => [breach.hotfix, breach.kind])).toEqual([[2, 'forward-port-lag']]);
    expect(report.breaches[0]!.message).toBe(
      '#2 was back-merged into the trunk by #12 after 1.75 business days; the target is 1 business day.',
    );
    expect(report.summary.forwardPortLag).toMatchObject({ count: 2, median: 1.25, max: 1.75 });
    expect(report.summary.forwardPortOngoing).toBe(2);
    expect(FORWARD_PORT_LAG_SLA_BUSINESS_DAYS).toBe(1);
  });

  it('the lag follows the calendar it is given', () => {
    const hotfix = facts(
      1,
      { forwardPort: { kind: 'merged', pull: 2, mergedAt: '2024-03-12T10:00:00Z' } },
      { mergedAt: '2024-03-08T16:00:00Z' },
    );
    const report = metrics([hotfix], { calendar: { holidays: ['2024-03-11'] } });
    expect(report.rows[0]!.forwardPort.lagBusinessDays).toBe(0.75);
    expect(report.breaches).toEqual([]);
  });

  it('rework: a second hotfix on the same ticket and branch within the window', () => {
    const report = metrics(
      [
        facts(1, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-04T10:00:00Z' }),
        facts(2, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-06T10:00:00Z' }),
        facts(3, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-06T11:00:00Z', base: 'release/v1.3' }),
        facts(4, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-30T10:00:00Z' }),
      ],
      { asOf: '2024-04-01T00:00:00Z' },
    );
    expect(report.rows.map((row) => row.rework.reasons)).toEqual([['second hotfix #2 on bd-a1b2'], [], [], []]);
    expect(report.summary.reworkRate).toEqual({ rate: 0.25, reworked: 1, of: 4 });
    const wide = metrics(
      [
        facts(1, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-04T10:00:00Z' }),
        facts(4, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-30T10:00:00Z' }),
      ],
      { asOf: '2024-04-01T00:00:00Z', reworkDays: 30 },
    );
    expect(wide.rows[0]!.rework.reasons).toEqual(['second hotfix #4 on bd-a1b2']);
  });

  it('rework: a regression fix naming the ticket or the pull request', () => {
    const report = metrics([
      facts(1, { ticket: 'bd-a1b2' }, { mergedAt: '2024-03-04T10:00:00Z' }),
      facts(2, { ticket: 'bd-c3d4' }, { mergedAt: '2024-03-04T11:00:00Z' }),
      facts(
        3,
        { ticket: 'bd-e5f6', regression: true, regressionOf: ['bd-a1b2', '#2'] },
        { mergedAt: '2024-03-05T10:00:00Z' },
      ),
      facts(
        4,
        { ticket: 'bd-g7h8', regression: false, regressionOf: ['bd-e5f6'] },
        { mergedAt: '2024-03-06T10:00:00Z' },
      ),
    ]);
    expect(report.rows.map((row) => row.rework.reasons)).toEqual([
      ['regression fixed by #3'],
      ['regression fixed by #3'],
      [],
      [],
    ]);
  });

  it('rework: a rollback of the deployment that shipped it, named or next in line', () => {
    const named = deployment(201, {
      task: 'rollback',
      createdAt: '2024-03-05T10:00:00Z',
      payload: { rollback_of: 100 },
    });
    const unnamedNext = deployment(102, { task: 'rollback', createdAt: '2024-03-05T10:00:00Z' });
    const unnamedLater = deployment(103, { task: 'rollback', createdAt: '2024-03-05T10:00:00Z' });
    const other = deployment(202, {
      task: 'rollback',
      createdAt: '2024-03-05T10:00:00Z',
      payload: { rollback_of: 55 },
    });
    const tooLate = deployment(203, {
      task: 'rollback',
      createdAt: '2024-04-05T10:00:00Z',
      payload: { rollback_of: 100 },
    });
    const hotfix = facts(1, { shipment: shipped(2, 100) });
    const rows = (deployments: MetricsDeployment[]) => metrics([hotfix], { deployments }).rows[0]!.rework.reasons;
    expect(rows([deployment(100), named])).toEqual(['rolled back by deployment 201']);
    expect(rows([deployment(100), unnamedNext, unnamedLater])).toEqual(['rolled back by deployment 102']);
    expect(rows([deployment(100), deployment(101), unnamedLater])).toEqual([]);
    expect(rows([deployment(100), other, tooLate])).toEqual([]);
    expect(rows([deployment(100), deployment(101, { environment: 'staging' }), unnamedNext])).toEqual([
      'rolled back by deployment 102',
    ]);
  });

  it('tests per hotfix: the mean of known counts; a hotfix without a test is flagged', () => {
    const report = metrics([
      facts(1, { testFiles: ['test/a.test.ts', 'test/b.test.ts'] }),
      facts(2, { testFiles: [] }),
      facts(3, { testFiles: undefined }),
    ]);
    expect(report.rows.map((row) => row.testFiles)).toEqual([2, 0, undefined]);
    expect(report.summary.testsPerHotfix).toEqual({ mean: 1, withTests: 1, of: 2, share: 0.5 });
    expect(report.breaches).toEqual([
      expect.objectContaining({ hotfix: 2, kind: 'no-tests', measured: 0, limit: 1, unit: 'test-files' }),
    ]);
  });

  it('automation success: automated back-merges that merged clean, of those that ended', () => {
    const auto = (n: number, extra: Partial<MetricsPullRequest>) =>
      pull(n, { head: `backmerge/x-${n}`, base: 'main', body: marker('release/v1.2', 'main'), ...extra });
    const report = metrics([], {
      backmerges: [
        auto(1, {}),
        auto(2, {}),
        auto(3, { labels: ['backmerge-conflict'] }),
        auto(4, { mergedAt: null }),
        auto(5, { mergedAt: null, state: 'open' }),
        pull(6, { head: 'backmerge/by-hand', base: 'main', labels: ['backmerge-conflict'] }),
      ],
    });
    expect(report.summary.automationSuccess).toEqual({ rate: 0.5, clean: 2, conflict: 1, abandoned: 1, open: 1 });
  });

  it('an empty window has no rates, and sorts hotfixes by merge time', () => {
    const empty = metrics([]);
    expect(empty.summary).toMatchObject({
      hotfixes: 0,
      reworkRate: { rate: null },
      testsPerHotfix: { mean: null, share: null },
      automationSuccess: { rate: null },
      breaches: { total: 0 },
    });
    const sorted = metrics([
      facts(2, {}, { mergedAt: '2024-03-05T10:00:00Z' }),
      facts(1, {}, { mergedAt: '2024-03-04T10:00:00Z' }),
      facts(3, {}, { mergedAt: null, state: 'open' }),
    ]);
    expect(sorted.rows.map((row) => row.number)).toEqual([1, 2]);
    expect(sorted.asOf).toBe('2024-03-20T12:00:00.000Z');
  });
});
