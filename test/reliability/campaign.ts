// The campaign's parts, each run and summed up as figures, findings and problems (a problem fails
// the test). The vitest campaign and bench/reliability.ts both run these.
import type { Figure } from './ledger.js';
import { RERUN_SCENARIOS, runRerunScenario, type RerunResult } from './r1-reruns.js';
import { WRITERS, raceTrackerWriters, raceVersionBumps, type TagRace, type TrackerRace } from './r2-concurrency.js';
import {
  FAULT_RATE,
  actionsFor,
  runUnderFaults,
  type FaultAction,
  type FaultOutcome,
  type FaultPlan,
} from './r3-faults.js';
import { FUZZ_KITS, SENTINEL, fuzzTasks, type FuzzRecord } from './r4-fuzz.js';
import { SIZES, median, pool } from './support.js';
import { existsSync } from 'node:fs';

/** What one part of the campaign measured. */
export interface PartResult {
  figures: Figure[];
  /** Defects of an action (or of the test tooling) worth a report, in a sentence or two each. */
  findings: string[];
  /** Lines with the detail behind the figures, one per action or round. */
  details: string[];
  /** What breaks a goal; the test fails on any. */
  problems: string[];
  /** The raw outcomes, for the JSON report. */
  data: unknown;
}

/** R1: every action re-run on the same state. */
export async function rerunPart(): Promise<PartResult> {
  const results: RerunResult[] = await pool(RERUN_SCENARIOS, SIZES.concurrency, runRerunScenario);
  const extraWrites = results.reduce((sum, r) => sum + r.extraWrites, 0);
  const extraPushes = results.reduce((sum, r) => sum + r.extraPushes, 0);
  const expected = results.reduce((sum, r) => sum + r.expectedWrites, 0);
  const actions = new Set(results.map((r) => r.action.split(' ')[0])).size;
  const problems = results.flatMap((r) => r.problems.map((p) => `${r.action}: ${p}`));
  for (const r of results.filter((r) => r.extraWrites + r.extraPushes > 0)) {
    problems.push(`${r.action}: a re-run made ${r.extraWrites} extra writes and ${r.extraPushes} extra pushes`);
  }
  return {
    figures: [
      {
        id: 'R1',
        metric: 're-runs',
        measured:
          `${actions} actions (${results.length} scenarios), ${extraWrites} extra mutating calls, ${extraPushes} extra ` +
          `pushes (${expected} audit records and notifications repeated by design)`,
        goal: '0 extra',
        pass: extraWrites === 0 && extraPushes === 0,
      },
    ],
    findings: [],
    details: results.map(
      (r) =>
        `R1 ${r.action}: re-run ${r.secondOutcome}; ${r.extraWrites} extra writes, ${r.extraPushes} extra pushes` +
        (r.expectedWrites ? `, ${r.expectedWrites} by design` : ''),
    ),
    problems,
    data: results,
  };
}

/** R2: eight version-bumps racing on one line, with each tagging method. */
export async function tagRacePart(): Promise<PartResult> {
  const methods = Array.from({ length: SIZES.concurrentRounds }, () => ['api', 'git'] as const).flat();
  const races: TagRace[] = [];
  // One round at a time: the eight jobs of a round are the concurrency being measured.
  for (const method of methods) races.push(await raceVersionBumps(method));
  const figures: Figure[] = (['api', 'git'] as const).map((method) => {
    const group = races.filter((race) => race.method === method);
    const sum = (key: 'distinct' | 'duplicates' | 'lost' | 'moved' | 'attempts') =>
      group.reduce((total, race) => total + race[key], 0);
    return {
      id: 'R2',
      metric: `${WRITERS} parallel version-bumps, method ${method}`,
      measured:
        `${group.length} round(s): ${sum('distinct')} distinct tags of ${group.length * WRITERS}, ` +
        `${sum('duplicates')} duplicates, ${sum('lost')} lost, ${sum('moved')} moved; ${sum('attempts')} candidate tags tried`,
      goal: '0 duplicates, 0 lost',
      pass: sum('duplicates') === 0 && sum('lost') === 0 && sum('moved') === 0,
    };
  });
  const findings: string[] = [];
  const lockFailures = races
    .filter((race) => race.method === 'git')
    .flatMap((race) => race.problems)
    .filter((problem) => /cannot lock ref/.test(problem)).length;
  if (lockFailures > 0) {
    findings.push(
      `version-bump (method git): ${lockFailures} racing run(s) failed with "Unexpected error: git push --porcelain ` +
        "--atomic … cannot lock ref 'refs/tags/v1.2.N': reference already exists\" instead of taking the next number. " +
        'With --atomic, git reports a lost ref-lock race as "[remote rejected] (atomic transaction failed)" and names ' +
        "the lock only on stderr, which core's pushRejection (packages/core/src/git.ts) does not read.",
    );
  }
  const problems = races.flatMap((race) => race.problems.map((p) => `method ${race.method}: ${p}`));
  for (const race of races.filter((race) => race.duplicates + race.lost + race.moved > 0)) {
    problems.push(`method ${race.method}: ${race.duplicates} duplicates, ${race.lost} lost, ${race.moved} moved`);
  }
  return { figures, findings, details: [], problems, data: races };
}

/** R2: eight beads-sync jobs pushing their own ticket's transition to one tracker branch at once. */
export async function trackerRacePart(): Promise<PartResult> {
  // With max-attempts at least the number of writers, every writer gets through by construction (each
  // round of pushes lets one through); the default is measured too, as users run it.
  const sufficient = String(WRITERS + 2);
  const settings = Array.from({ length: SIZES.concurrentRounds }, () => [sufficient, '']).flat();
  const races: TrackerRace[] = [];
  for (const maxAttempts of settings) races.push(await raceTrackerWriters(maxAttempts));
  const groups = [
    [`max-attempts ${sufficient}`, races.filter((race) => race.maxAttempts !== '')],
    ['default max-attempts', races.filter((race) => race.maxAttempts === '')],
  ] as const;
  const figures: Figure[] = groups.map(([label, group]) => {
    const sum = (key: 'landed' | 'lost' | 'invalidLines' | 'otherLinesChanged' | 'attempts' | 'warned') =>
      group.reduce((total, race) => total + race[key], 0);
    return {
      id: 'R2',
      metric: `${WRITERS} parallel beads writers, ${label}`,
      measured:
        `${group.length} round(s): ${sum('landed')} of ${group.length * WRITERS} transitions landed, ${sum('lost')} lost ` +
        `(${sum('warned')} runs warned that they gave up), ${sum('invalidLines')} invalid lines, ` +
        `${sum('otherLinesChanged')} other lines changed; ${sum('attempts')} pushes tried`,
      goal: '0 lost, valid JSONL, other lines identical',
      pass: sum('lost') === 0 && sum('invalidLines') === 0 && sum('otherLinesChanged') === 0,
    };
  });
  const findings: string[] = [];
  const defaults = groups[1][1];
  const lostByDefault = defaults.reduce((n, race) => n + race.lost, 0);
  if (lostByDefault > 0) {
    findings.push(
      `beads-sync: with the default max-attempts (5), ${WRITERS} writers pushing to one tracker branch at once lost ` +
        `${lostByDefault} of ${defaults.length * WRITERS} transitions: each round of pushes lets one writer through, so ` +
        'n writers need up to n attempts; the losers warn and exit 0, their change is not in the tracker. A default of ' +
        'at least 10, or jittered back-off between attempts, would keep them.',
    );
  }
  // Nothing lost silently, no line broken or rewritten, whatever the setting; nothing lost with enough attempts.
  const problems = races.flatMap((race) => race.problems);
  for (const race of races) {
    if (race.invalidLines + race.otherLinesChanged > 0) {
      problems.push(`${race.invalidLines} invalid lines, ${race.otherLinesChanged} other lines changed`);
    }
    if (race.maxAttempts !== '' && race.lost > 0) problems.push(`max-attempts ${race.maxAttempts}: ${race.lost} lost`);
  }
  return { figures, findings, details: [], problems, data: races };
}

/** The three kinds of R3 runs, with their sizes and seeds. */
export const FAULT_PLANS: readonly { plan: FaultPlan; runs: number; seed: number; title: string }[] = [
  {
    plan: 'random',
    runs: SIZES.faultRuns,
    seed: 1000,
    title: `${FAULT_RATE * 100} % faults (5xx, 429, secondary rate limit, reset, latency)`,
  },
  { plan: 'lost-answer', runs: SIZES.harshRuns, seed: 2000, title: 'a write whose answer is lost' },
  { plan: 'outage', runs: SIZES.harshRuns, seed: 3000, title: 'one endpoint down past every retry' },
];

/** R3: the API-using actions under one kind of fault, each failed run re-run without faults. */
export async function faultPart(plan: FaultPlan, runs: number, seed: number, title: string): Promise<PartResult> {
  const actions = actionsFor(plan);
  const cases = Array.from({ length: runs }, (_, i) => ({ action: actions[i % actions.length]!, seed: seed + i }));
  const outcomes = await pool(cases, SIZES.concurrency, ({ action, seed: s }) => runUnderFaults(action, s, plan));
  const count = (predicate: (outcome: FaultOutcome) => boolean) => outcomes.filter(predicate).length;
  const notOk = count((o) => o.first !== 'ok');
  const healed = count((o) => o.healed === true);
  const kinds = ['ok', 'degraded', 'failed-clearly', 'failed-unclearly', 'wrong'] as const;
  const details = actions.map((action) => {
    const mine = outcomes.filter((o) => o.action === action);
    const parts = kinds.map((k) => [k, mine.filter((o) => o.first === k).length] as const).filter(([, n]) => n > 0);
    return (
      `R3 ${plan} ${action}: ${mine.length} runs, ${parts.map(([k, n]) => `${n} ${k}`).join(', ')}; ` +
      `${mine.filter((o) => o.healed === true).length} healed, ${mine.filter((o) => o.healed === false).length} unhealed; ` +
      `${mine.reduce((n, o) => n + o.faults, 0)} faults in ${mine.reduce((n, o) => n + o.requests, 0)} requests`
    );
  });
  const findings: string[] = [];
  const byAction = new Map<FaultAction, FaultOutcome[]>();
  for (const outcome of outcomes.filter((o) => o.problems.length > 0)) {
    byAction.set(outcome.action, [...(byAction.get(outcome.action) ?? []), outcome]);
  }
  for (const [action, bad] of byAction) {
    const where = [...new Set(bad.map((o) => o.where).filter(Boolean))].join(', ');
    findings.push(
      `${action} under "${title}": ${bad.length} of ${outcomes.filter((o) => o.action === action).length} runs went ` +
        `wrong${where ? ` (fault at ${where})` : ''}: ${bad[0]!.problems[0]!.split('\n')[0]}` +
        (bad.some((o) => o.healed === false) ? '; a re-run without faults does not repair it' : ''),
    );
  }
  return {
    figures: [
      {
        id: 'R3',
        metric: title,
        measured:
          `${runs} runs over ${actions.length} actions: ${count((o) => o.first === 'ok')} ok first time, ` +
          `${count((o) => o.first === 'degraded')} cautious answer with a warning, ` +
          `${count((o) => o.first === 'failed-clearly')} failed clearly, ` +
          `${count((o) => o.first === 'failed-unclearly')} failed unclearly, ${count((o) => o.first === 'wrong')} wrong; ` +
          `${healed} healed by re-run, ${count((o) => o.healed === false)} unhealed ` +
          `(${notOk > 0 ? Math.round((100 * healed) / notOk) : 100} % healed)`,
        goal: 'correct or clear failure; 100 % healed',
        pass: outcomes.every((o) => o.problems.length === 0),
      },
    ],
    findings,
    details,
    problems: outcomes.flatMap((o) => o.problems.map((p) => `${o.action} (seed ${o.seed}): ${p}`)),
    data: outcomes,
  };
}

/** R4: fuzzed hostile inputs through every bundle. */
export async function fuzzPart(): Promise<PartResult> {
  const tasks = FUZZ_KITS.flatMap((kit, index) => fuzzTasks(kit, SIZES.fuzzPerAction, 4242 + index, SIZES.fuzzLanes));
  const records: FuzzRecord[] = (await pool(tasks, SIZES.concurrency + 1, (task) => task())).flat();
  const count = (predicate: (record: FuzzRecord) => boolean, from: readonly FuzzRecord[] = records) =>
    from.filter(predicate).length;
  const details = FUZZ_KITS.map((kit) => {
    const mine = records.filter((r) => r.action === kit.action);
    return (
      `R4 ${kit.action}: ${mine.length} runs, ${count((r) => r.verdict === 'accepted', mine)} accepted, ` +
      `${count((r) => r.verdict === 'domain-failure', mine)} refused by the action's own rule, ` +
      `${count((r) => r.verdict === 'refused', mine)} configuration errors ` +
      `(${count((r) => r.verdict === 'refused' && r.namedFuzzed === true, mine)} naming the fuzzed input), ` +
      `${count((r) => r.verdict === 'defect', mine)} defects; median ${Math.round(median(mine.map((r) => r.durationMs)))} ms a run`
    );
  });
  const refused = records.filter((r) => r.verdict === 'refused');
  const defects = records.filter((r) => r.verdict === 'defect');
  const injections = count((r) => r.injected) + Number(existsSync(SENTINEL));
  // Counted on every run: a refusal that wrote anything is judged a defect, and keeps its count.
  const mutations = records.reduce((n, r) => n + r.mutations, 0);
  const findings: string[] = [];
  const artifacts = count((r) => r.verdict === 'artifact');
  if (artifacts > 0) {
    findings.push(
      `testkit (not an action): ${artifacts} fuzzed run(s) hit the stand-in's unencoded Location header for a created ` +
        'ref with characters beyond Latin-1 (packages/testkit/src/api/routes-git.ts, createRef): Node cannot send it, ' +
        'drops the connection, and the client retries a create that went through. Not counted against the actions.',
    );
  }
  const grouped = new Map<string, FuzzRecord[]>();
  for (const defect of defects) {
    const key = `${defect.action}: ${(defect.problem ?? '').replace(/"[^"]*"/g, '"…"').slice(0, 80)}`;
    grouped.set(key, [...(grouped.get(key) ?? []), defect]);
  }
  for (const group of grouped.values()) {
    const [first] = group;
    const given = Object.fromEntries(first!.fuzzed.map((name) => [name, first!.inputs[name]]));
    findings.push(
      `${first!.action}: ${group.length} fuzzed run(s), e.g. ${JSON.stringify(given)} → ${first!.problem?.slice(0, 400)}`,
    );
  }
  return {
    figures: [
      {
        id: 'R4',
        metric: 'fuzzed inputs',
        measured:
          `${records.length} runs (${SIZES.fuzzPerAction} × ${FUZZ_KITS.length} actions): ` +
          `${count((r) => r.verdict === 'accepted' || r.verdict === 'domain-failure')} valid results, ` +
          `${refused.length} refused with one error naming an input, ${defects.length} defects, ` +
          `${mutations} mutations by refused runs, ${injections} shell injections`,
        goal: '0 defects, 0 mutations, 0 injections',
        pass: defects.length === 0 && mutations === 0 && injections === 0,
      },
    ],
    findings,
    details,
    problems: [
      ...(injections > 0 ? [`${injections} shell injections`] : []),
      ...defects.map(
        (d) => `${d.action} ${JSON.stringify(Object.fromEntries(d.fuzzed.map((n) => [n, d.inputs[n]])))}: ${d.problem}`,
      ),
    ],
    data: records.map(({ action, fuzzed, verdict, named, problem, durationMs }) => ({
      action,
      fuzzed,
      verdict,
      named,
      problem,
      durationMs,
    })),
  };
}
