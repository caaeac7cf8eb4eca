// R2: writers racing each other. Eight hotfixes merged into one release line at once, each tagged
// by its own version-bump job; eight beads-sync jobs pushing their own ticket's transition to one
// tracker branch at once. Nothing may be lost, duplicated or moved.
import { beadsIssueOf, beadsLineDiff, gitShowBytes, readBeadsFixture, type BundleRun } from '@hotfix-actions/testkit';
import { beadsWorld, closeStage, originTagCommit, TRACKER, versionWorld } from './worlds.js';
import { explain } from './support.js';

/** The writers of one round. */
export const WRITERS = 8;

/** The outcome of a round of racing version-bumps. */
export interface TagRace {
  method: 'api' | 'git';
  /** Distinct new tags on the origin, each on its own hotfix. */
  distinct: number;
  /** Hotfixes with more than one new tag, or runs that reported a tag another run reported. */
  duplicates: number;
  /** Hotfixes left without a tag (a run failed or reported a tag that is not there). */
  lost: number;
  /** Tags that existed before and no longer point where they did. */
  moved: number;
  /** Candidate tags tried in all (more than WRITERS when runs lost races). */
  attempts: number;
  problems: string[];
}

/** Eight hotfixes merged into release/v1.2 at once, siblings (none contains another), each tagged by its own job. */
export async function raceVersionBumps(method: 'api' | 'git'): Promise<TagRace> {
  const world = await versionWorld();
  try {
    const { sandbox } = world;
    const base = await sandbox.revParse('release/v1.2');
    const before = { v123: await originTagCommit(sandbox, 'v1.2.3'), v130: await originTagCommit(sandbox, 'v1.3.0') };
    const shas: string[] = [];
    for (let i = 0; i < WRITERS; i++) {
      shas.push(
        await sandbox.commit({ [`fix-${i}.txt`]: `${i}\n` }, `hotfix(bd-r${i}): fix ${i}`, {
          branch: `hotfix/race-${i}`,
          from: base,
        }),
      );
    }
    await sandbox.push();
    const workspaces =
      method === 'git'
        ? await Promise.all(shas.map((_, i) => sandbox.clone({ depth: 1, branch: `hotfix/race-${i}`, noTags: true })))
        : [];
    const inputs: Record<string, string> = method === 'git' ? { method: 'git', token: '' } : {};
    const runs = await Promise.all(
      shas.map((sha, i) => world.run(inputs, { sha, ...(method === 'git' ? { workspace: workspaces[i]! } : {}) })),
    );

    const problems = runs.filter((run) => run.exitCode !== 0).map((run) => explain(run));
    const lineTags = (await sandbox.git(['tag', '--list', 'v1.2.*'], sandbox.origin)).split('\n').filter(Boolean);
    const created = lineTags.filter((tag) => tag !== 'v1.2.3');
    const tagsBySha = new Map<string, string[]>();
    for (const tag of created) {
      const commit = (await originTagCommit(sandbox, tag)) ?? '';
      tagsBySha.set(commit, [...(tagsBySha.get(commit) ?? []), tag]);
    }
    const reported = runs.map((run) => run.outputs.tag ?? '');
    // A failed run reports no tag: it counts as lost below, not as a duplicate.
    const named = reported.filter(Boolean);
    const reportedTwice = named.length - new Set(named).size;
    const strays = [...tagsBySha.keys()].filter((sha) => !shas.includes(sha));
    if (strays.length > 0) problems.push(`tags on commits that are no hotfix: ${strays.join(', ')}`);
    let lost = 0;
    for (const [i, sha] of shas.entries()) {
      const tags = tagsBySha.get(sha) ?? [];
      if (tags.length === 0 || !tags.includes(reported[i]!)) lost++;
    }
    const duplicates = [...tagsBySha.values()].filter((tags) => tags.length > 1).length + reportedTwice;
    const moved =
      Number((await originTagCommit(sandbox, 'v1.2.3')) !== before.v123) +
      Number((await originTagCommit(sandbox, 'v1.3.0')) !== before.v130);
    const expected = Array.from({ length: WRITERS }, (_, i) => `v1.2.${4 + i}`).sort();
    if (JSON.stringify([...created].sort()) !== JSON.stringify(expected)) {
      problems.push(`new tags ${created.join(', ')}, expected v1.2.4 … v1.2.${3 + WRITERS}`);
    }
    return {
      method,
      distinct: new Set(created).size - duplicates,
      duplicates,
      lost,
      moved,
      attempts: runs.reduce((sum, run) => sum + Number(run.outputs.attempts ?? 0), 0),
      problems,
    };
  } finally {
    await closeStage(world);
  }
}

/** The outcome of a round of racing beads-sync writers. */
export interface TrackerRace {
  /** Tickets whose transition is in the final tracker. */
  landed: number;
  /** Tickets whose transition is missing. */
  lost: number;
  /** Lines of the final tracker that are not valid JSON. */
  invalidLines: number;
  /** Lines of other tickets that are not byte-identical to the original. */
  otherLinesChanged: number;
  /** Push attempts in all (the summaries say how many each run needed). */
  attempts: number;
  /** Runs that gave up and said so (a warning; the tracker is never allowed to block a release). */
  warned: number;
  /** The max-attempts input of the writers ('' for the default). */
  maxAttempts: string;
  problems: string[];
}

/** The first open tickets of the fixture that nothing else in the campaign touches. */
function openTickets(count: number): string[] {
  const ids: string[] = [];
  for (const line of readBeadsFixture().issues.toString('utf8').split('\n')) {
    const match = /^\{"id":"(bd-[a-z0-9]+)","title":"[^"]*".*?"status":"open"/.exec(line);
    if (match && !['bd-1slh', 'bd-1e12', 'bd-1hc40', 'bd-0vu3q'].includes(match[1]!)) ids.push(match[1]!);
    if (ids.length === count) break;
  }
  return ids;
}

/**
 * Eight jobs, each with its own checkout of the same commit, each moving its own ticket (half start
 * them, half close them), all pushing to the tracker's sync branch at once.
 */
export async function raceTrackerWriters(maxAttempts = ''): Promise<TrackerRace> {
  const world = await beadsWorld();
  try {
    const tickets = openTickets(WRITERS);
    const workspaces = await Promise.all(tickets.map(() => world.sandbox.clone()));
    const runs: BundleRun[] = await Promise.all(
      tickets.map((ticket, i) =>
        world.run(workspaces[i]!, {
          ...(i % 2 === 0
            ? { transition: 'start', ticket }
            : { transition: 'close', ticket, reason: `Fixed by writer ${i}` }),
          ...(maxAttempts ? { 'max-attempts': maxAttempts } : {}),
        }),
      ),
    );
    // A writer that gave up must say so: exit 0 (never a blocked release) with one warning.
    const warned = runs.filter(
      (run) => run.outputs.changed === 'false' && run.annotations.some((a) => /Gave up after/.test(a.message)),
    ).length;
    const problems = runs
      .filter((run) => run.exitCode !== 0 || (run.outputs.changed !== 'true' && !/Gave up after/.test(run.stdout)))
      .map((run) => explain(run));
    const fixture = readBeadsFixture().issues;
    const final = await gitShowBytes(world.sandbox.origin, 'refs/heads/beads-sync', TRACKER);
    const diff = beadsLineDiff(fixture, final);
    let landed = 0;
    for (const [i, ticket] of tickets.entries()) {
      const issue = beadsIssueOf(final, ticket);
      const wanted = i % 2 === 0 ? 'in_progress' : 'closed';
      if (issue?.status === wanted) landed++;
      // Lost without a word is a defect; lost after the writer warned that it gave up is counted.
      else if (runs[i]!.outputs.changed !== 'false')
        problems.push(`${ticket}: ${String(issue?.status)}, not ${wanted}`);
    }
    let invalidLines = 0;
    for (const line of final.toString('utf8').split('\n').filter(Boolean)) {
      try {
        JSON.parse(line);
      } catch {
        invalidLines++;
      }
    }
    const otherLinesChanged =
      diff.changed.filter((change) => !tickets.includes(change.id)).length + diff.inserted.length + diff.removed.length;
    if (!diff.orderKept || !diff.finalNewlineKept) problems.push('the line order or the final newline changed');
    const attempts = runs.reduce((sum, run) => {
      const stated = /attempts: (\d+)/.exec(run.summary)?.[1];
      const gaveUp = /Gave up after (\d+) attempts/.exec(run.stdout)?.[1];
      return sum + Number(stated ?? gaveUp ?? 1);
    }, 0);
    return {
      landed,
      lost: tickets.length - landed,
      invalidLines,
      otherLinesChanged,
      attempts,
      warned,
      maxAttempts,
      problems,
    };
  } finally {
    await closeStage(world);
  }
}
