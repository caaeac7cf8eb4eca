// The hotfix decision tree (hotfix-rules III) and the policy a hotfix pull request is held to
// (II.A, II.C, VII), as pure functions: the hotfix-plan action and the `hotfix` CLI share them.
// Nothing here touches git, the network or the environment.
import { ConfigurationError } from './errors.js';
import { refNameProblem } from './refname.js';
import { extractTicketIds, extractTicketReferences, type TicketIdOptions } from './tickets.js';
import { DEFAULT_RELEASE_BRANCH_PATTERN, parseReleaseLine, type ReleaseLine } from './versions.js';

// ---------------------------------------------------------------------------------------------
// Severity

/** How bad a production issue is: P0 (outage) … P4 (backlog), as Beads priorities 0–4. */
export type HotfixSeverity = 'P0' | 'P1' | 'P2' | 'P3' | 'P4';

/** The severities, most severe first. */
export const HOTFIX_SEVERITIES: readonly HotfixSeverity[] = ['P0', 'P1', 'P2', 'P3', 'P4'];

const SEVERITY_WORDS: Record<string, HotfixSeverity> = {
  critical: 'P0',
  emergency: 'P0',
  blocker: 'P0',
  high: 'P1',
  urgent: 'P1',
  major: 'P1',
  medium: 'P2',
  moderate: 'P2',
  normal: 'P2',
  low: 'P3',
  minor: 'P3',
  trivial: 'P4',
  lowest: 'P4',
  backlog: 'P4',
  cosmetic: 'P4',
};

// Bare words that are taken as a severity when they are a whole label; other words ("low",
// "minor") are too common as labels of other kinds to mean a severity on their own.
const LABEL_SEVERITY_WORDS = new Set(['emergency', 'critical']);

const SEVERITY_KEYS = '(?:priority|prio|pri|severity|sev)';
const NUMBERED = new RegExp(`^(?:${SEVERITY_KEYS}\\s*[:/=_ -]?\\s*p?|p[-_ ]?)([0-4])$`);
const NUMBERED_LABEL = new RegExp(`^(?:${SEVERITY_KEYS}\\s*[:/=_ -]?\\s*p?|p[-_ ]?)([0-4])(?![0-9a-z])`);
const WORDED = new RegExp(`^${SEVERITY_KEYS}\\s*[:/=_ -]\\s*([a-z]+)$`);

/** Describes the accepted severity forms, for error messages and docs. */
export const HOTFIX_SEVERITY_FORMS =
  'P0–P4 (or 0–4, priority:1, severity:2, sev1), or a word: critical/emergency (P0), high/urgent (P1), ' +
  'medium (P2), low/minor (P3), trivial/backlog (P4), also as severity:<word>';

function severityOf(digit: string): HotfixSeverity {
  return `P${digit}` as HotfixSeverity;
}

/**
 * Reads a severity as a person writes it: `P0`…`P4`, `0`…`4`, `priority:1`, `priority/p1`,
 * `severity:critical`, `sev-2`, or a word (`critical`, `emergency` → P0; `high`, `urgent` → P1;
 * `medium` → P2; `low`, `minor` → P3; `trivial`, `backlog` → P4). Case and surrounding space are
 * ignored; anything else is undefined.
 */
export function parseHotfixSeverity(text: string): HotfixSeverity | undefined {
  const value = text.trim().toLowerCase();
  if (/^[0-4]$/.test(value)) return severityOf(value);
  const numbered = NUMBERED.exec(value);
  if (numbered?.[1] !== undefined) return severityOf(numbered[1]);
  const worded = WORDED.exec(value);
  if (worded?.[1] !== undefined) return SEVERITY_WORDS[worded[1]];
  return SEVERITY_WORDS[value];
}

/** Reads a severity given in `input`, or throws a ConfigurationError naming the input and the accepted forms. */
export function assertHotfixSeverity(text: string, input = 'severity'): HotfixSeverity {
  const severity = parseHotfixSeverity(text);
  if (severity === undefined) {
    throw new ConfigurationError(
      `Input "${input}" must be a severity such as P0 or P1 (${HOTFIX_SEVERITY_FORMS}), but got ` +
        `${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}.`,
      input,
    );
  }
  return severity;
}

/** The severity one label stands for (`p0`, `P1 - high`, `priority:1`, `severity:critical`, `sev2`, `emergency`). */
export function hotfixSeverityOfLabel(label: string): HotfixSeverity | undefined {
  const value = label.trim().toLowerCase();
  const numbered = NUMBERED_LABEL.exec(value);
  if (numbered?.[1] !== undefined) return severityOf(numbered[1]);
  const worded = WORDED.exec(value);
  if (worded?.[1] !== undefined) return SEVERITY_WORDS[worded[1]];
  return LABEL_SEVERITY_WORDS.has(value) ? SEVERITY_WORDS[value] : undefined;
}

/** The most severe severity among labels, with the label that gave it; undefined when no label names one. */
export function hotfixSeverityFromLabels(
  labels: readonly string[],
): { severity: HotfixSeverity; label: string } | undefined {
  let best: { severity: HotfixSeverity; label: string } | undefined;
  for (const label of labels) {
    const severity = hotfixSeverityOfLabel(label);
    if (severity !== undefined && (best === undefined || severity < best.severity)) best = { severity, label };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// The decision tree

/** The procedures of hotfix-rules IV, and "not a hotfix". */
export type HotfixApproach = 'emergency' | 'release-first' | 'trunk-first' | 'regular-issue';

/** Every approach, in the order the decision tree reaches them. */
export const HOTFIX_APPROACHES: readonly HotfixApproach[] = [
  'emergency',
  'release-first',
  'regular-issue',
  'trunk-first',
];

/** The three questions of the decision tree. */
export type HotfixQuestion = 'Q1' | 'Q2' | 'Q3';

/** The questions' texts, as the seed asks them. */
export const HOTFIX_QUESTIONS: Readonly<Record<HotfixQuestion, string>> = {
  Q1: 'Is production currently down or degraded?',
  Q2: 'Does trunk contain unreleased features?',
  Q3: 'Can this wait for the next release?',
};

/** The human names of the approaches, with the seed's section. */
export const HOTFIX_APPROACH_TITLES: Readonly<Record<HotfixApproach, string>> = {
  emergency: 'Emergency hotfix (IV-A)',
  'release-first': 'Release-first hotfix (IV-B)',
  'trunk-first': 'Trunk-first hotfix (IV-C)',
  'regular-issue': 'Regular issue, not a hotfix',
};

/** One question asked on the way through the tree. */
export interface HotfixDecisionStep {
  question: HotfixQuestion;
  /** `uncertain` only for Q2, which then counts as yes (the seed: "if uncertain, use release-first"). */
  answer: 'yes' | 'no' | 'uncertain';
  /** Why, as a phrase: `severity P0 from label "emergency"`, `main has 2 unreleased commits since v1.2.0`. */
  because: string;
}

/** What the decision tree is told. Unset facts fall back as documented on each field. */
export interface HotfixDecisionInput {
  /** Q1, stated. When unset, Q1 is yes for severity P0 or an outage label (`outage`, `production-down`, `data-loss` …). */
  productionDown?: boolean;
  /** The severity; when unset, the most severe label among `labels` gives it (see {@link hotfixSeverityFromLabels}). */
  severity?: HotfixSeverity;
  /** Labels of the ticket, issue or pull request: severity, outage, and can/cannot-wait signals. */
  labels?: readonly string[];
  /**
   * Q3, stated. When unset: a cannot-wait label (`security`, `vulnerability`, `data-integrity` …) says no,
   * a can-wait label (`cosmetic`, `minor`, `workaround` …) says yes, then severity P0/P1 says no and
   * P2–P4 yes; with nothing to go on, the issue is treated as unable to wait (someone asked for a hotfix).
   */
  canWait?: boolean;
  /** Q2: whether trunk has commits no release contains; `unknown` counts as yes (release-first is the safer side). */
  trunkHasUnreleased: boolean | 'unknown';
  /** Why Q2 has its answer, e.g. `main has 3 unreleased commits since v1.2.0`; shown in the reason. */
  trunkEvidence?: string;
}

/** The outcome of the decision tree. */
export interface HotfixDecision {
  approach: HotfixApproach;
  /** The questions asked, in order (Q1 only for an emergency). */
  path: HotfixDecisionStep[];
  /** One sentence a person can read: the approach and why. */
  reason: string;
  /** The severity used (given, or from a label), when there is one. */
  severity?: HotfixSeverity;
  /** Where the severity came from: `input`, or `label "p0"`. */
  severitySource?: string;
}

function normalizeLabel(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** Labels that say production is down or degraded (Q1: down, or >50 % failing, security breach, data loss). */
export const PRODUCTION_DOWN_LABELS: readonly string[] = [
  'emergency',
  'outage',
  'production-down',
  'prod-down',
  'degraded',
  'data-loss',
  'security-breach',
];

/** Labels that say a fix cannot wait for the next release (Q3: security, data integrity, major customer pain). */
export const CANNOT_WAIT_LABELS: readonly string[] = [
  'security',
  'vulnerability',
  'cve',
  'data-integrity',
  'data-corruption',
  'customer-impact',
];

/** Labels that say a fix can wait for the next release (Q3: minor bugs, cosmetic issues, a workaround exists). */
export const CAN_WAIT_LABELS: readonly string[] = [
  'cosmetic',
  'minor',
  'typo',
  'workaround',
  'has-workaround',
  'can-wait',
  'low-impact',
];

function findLabel(labels: readonly string[], wanted: readonly string[]): string | undefined {
  return labels.find((label) => wanted.includes(normalizeLabel(label)));
}

function answerQ1(
  input: HotfixDecisionInput,
  severity: HotfixSeverity | undefined,
  source: string | undefined,
): HotfixDecisionStep {
  if (input.productionDown !== undefined) {
    return {
      question: 'Q1',
      answer: input.productionDown ? 'yes' : 'no',
      because: `production-down is ${input.productionDown}`,
    };
  }
  if (severity === 'P0') return { question: 'Q1', answer: 'yes', because: severityPhrase(severity, source) };
  const label = findLabel(input.labels ?? [], PRODUCTION_DOWN_LABELS);
  if (label !== undefined) return { question: 'Q1', answer: 'yes', because: `label "${label}"` };
  return {
    question: 'Q1',
    answer: 'no',
    because: severity !== undefined ? severityPhrase(severity, source) : 'nothing reports an outage',
  };
}

function answerQ2(input: HotfixDecisionInput): HotfixDecisionStep {
  const value = input.trunkHasUnreleased;
  if (value === 'unknown') {
    return { question: 'Q2', answer: 'uncertain', because: input.trunkEvidence ?? 'it could not be determined' };
  }
  return {
    question: 'Q2',
    answer: value ? 'yes' : 'no',
    because:
      input.trunkEvidence ??
      (value ? 'trunk has unreleased commits' : 'trunk has only released, back-merged or version commits'),
  };
}

function answerQ3(
  input: HotfixDecisionInput,
  severity: HotfixSeverity | undefined,
  source: string | undefined,
): HotfixDecisionStep {
  if (input.canWait !== undefined) {
    return { question: 'Q3', answer: input.canWait ? 'yes' : 'no', because: `can-wait is ${input.canWait}` };
  }
  const labels = input.labels ?? [];
  // A security or data-integrity label outweighs a "minor" one: waiting is the riskier mistake.
  const urgent = findLabel(labels, CANNOT_WAIT_LABELS);
  if (urgent !== undefined) return { question: 'Q3', answer: 'no', because: `label "${urgent}"` };
  const relaxed = findLabel(labels, CAN_WAIT_LABELS);
  if (relaxed !== undefined) return { question: 'Q3', answer: 'yes', because: `label "${relaxed}"` };
  if (severity !== undefined) {
    return {
      question: 'Q3',
      answer: severity === 'P0' || severity === 'P1' ? 'no' : 'yes',
      because: severityPhrase(severity, source),
    };
  }
  return { question: 'Q3', answer: 'no', because: 'nothing says it can wait' };
}

function severityPhrase(severity: HotfixSeverity, source: string | undefined): string {
  return source === undefined || source === 'input' ? `severity ${severity}` : `severity ${severity} from ${source}`;
}

/**
 * Walks the decision tree of hotfix-rules III: Q1 production down or degraded → emergency; else Q2 trunk has
 * unreleased features (or it is uncertain) → release-first; else Q3 can wait → regular issue, cannot → trunk-first.
 * Stated answers (`productionDown`, `canWait`) win over what severity and labels suggest.
 */
export function decideHotfixApproach(input: HotfixDecisionInput): HotfixDecision {
  let severity = input.severity;
  let source: string | undefined = severity === undefined ? undefined : 'input';
  if (severity === undefined) {
    const fromLabel = hotfixSeverityFromLabels(input.labels ?? []);
    if (fromLabel !== undefined) {
      severity = fromLabel.severity;
      source = `label "${fromLabel.label}"`;
    }
  }
  const facts = severity === undefined ? {} : { severity, severitySource: source ?? 'input' };

  const q1 = answerQ1(input, severity, source);
  if (q1.answer === 'yes') {
    return {
      approach: 'emergency',
      path: [q1],
      reason: `Emergency hotfix: production is down or degraded (${q1.because}).`,
      ...facts,
    };
  }
  const q2 = answerQ2(input);
  if (q2.answer !== 'no') {
    const reason =
      q2.answer === 'yes'
        ? `Release-first hotfix: production is not down (${q1.because}) and trunk contains unreleased ` +
          `features (${q2.because}), which a hotfix of trunk could leak to production.`
        : `Release-first hotfix: production is not down (${q1.because}) and it is uncertain whether trunk ` +
          `contains unreleased features (${q2.because}), so the safer approach is taken.`;
    return { approach: 'release-first', path: [q1, q2], reason, ...facts };
  }
  const q3 = answerQ3(input, severity, source);
  if (q3.answer === 'yes') {
    return {
      approach: 'regular-issue',
      path: [q1, q2, q3],
      reason:
        `Not a hotfix: production is not down (${q1.because}), trunk has no unreleased features ` +
        `(${q2.because}) and the fix can wait for the next release (${q3.because}): create a regular issue.`,
      ...facts,
    };
  }
  return {
    approach: 'trunk-first',
    path: [q1, q2, q3],
    reason:
      `Trunk-first hotfix: production is not down (${q1.because}), trunk has no unreleased features ` +
      `(${q2.because}) and the fix cannot wait for the next release (${q3.because}).`,
    ...facts,
  };
}

// ---------------------------------------------------------------------------------------------
// The mermaid flowchart

const FLOW_EDGES: readonly { from: string; to: string; label: string }[] = [
  { from: 'start', to: 'q1', label: '' },
  { from: 'q1', to: 'emergency', label: 'yes' },
  { from: 'q1', to: 'q2', label: 'no' },
  { from: 'q2', to: 'releasefirst', label: 'yes, or uncertain' },
  { from: 'q2', to: 'q3', label: 'no' },
  { from: 'q3', to: 'regular', label: 'yes' },
  { from: 'q3', to: 'trunkfirst', label: 'no' },
];

const FLOW_NODE_OF: Readonly<Record<HotfixApproach, string>> = {
  emergency: 'emergency',
  'release-first': 'releasefirst',
  'trunk-first': 'trunkfirst',
  'regular-issue': 'regular',
};

/**
 * The decision tree as mermaid flowchart code (without the fence), with the path `decision` took
 * highlighted: the questions asked and the edges followed in amber, the approach reached in green,
 * the rest greyed out.
 */
export function hotfixDecisionFlowchart(decision: Pick<HotfixDecision, 'approach' | 'path'>): string {
  const answers = new Map(decision.path.map((step) => [step.question, step.answer]));
  const mark = (question: HotfixQuestion): string => {
    const answer = answers.get(question);
    return answer === undefined ? '' : `<br/><b>${answer}</b>`;
  };
  const lines = [
    'flowchart TD',
    '  start(["Production issue detected"])',
    `  q1{"Q1: ${HOTFIX_QUESTIONS.Q1}${mark('Q1')}"}`,
    `  q2{"Q2: ${HOTFIX_QUESTIONS.Q2}${mark('Q2')}"}`,
    `  q3{"Q3: ${HOTFIX_QUESTIONS.Q3}${mark('Q3')}"}`,
    `  emergency["${HOTFIX_APPROACH_TITLES.emergency}"]`,
    `  releasefirst["${HOTFIX_APPROACH_TITLES['release-first']}"]`,
    `  regular["${HOTFIX_APPROACH_TITLES['regular-issue']}"]`,
    `  trunkfirst["${HOTFIX_APPROACH_TITLES['trunk-first']}"]`,
  ];
  for (const edge of FLOW_EDGES) {
    lines.push(edge.label === '' ? `  ${edge.from} --> ${edge.to}` : `  ${edge.from} -->|"${edge.label}"| ${edge.to}`);
  }
  const visited = ['start', ...decision.path.map((step) => step.question.toLowerCase())];
  const chosen = FLOW_NODE_OF[decision.approach];
  const onPath = new Set([...visited, chosen]);
  const taken = FLOW_EDGES.map((edge, index) => ({ edge, index }))
    .filter(({ edge }) => onPath.has(edge.from) && onPath.has(edge.to) && visited.includes(edge.from))
    .map(({ index }) => index);
  const skipped = ['q1', 'q2', 'q3', 'emergency', 'releasefirst', 'regular', 'trunkfirst'].filter(
    (node) => !onPath.has(node),
  );
  lines.push(
    '  classDef taken fill:#fef3c7,stroke:#b45309,stroke-width:2px,color:#111827',
    '  classDef chosen fill:#dcfce7,stroke:#15803d,stroke-width:3px,color:#111827',
    '  classDef skipped fill:#f3f4f6,stroke:#d1d5db,color:#6b7280',
    `  class ${visited.join(',')} taken`,
    `  class ${chosen} chosen`,
  );
  if (skipped.length > 0) lines.push(`  class ${skipped.join(',')} skipped`);
  if (taken.length > 0) lines.push(`  linkStyle ${taken.join(',')} stroke:#b45309,stroke-width:3px`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Branch names

/** The default prefix of hotfix branches (`hotfix/bd-a1b2-fix-login`). */
export const DEFAULT_HOTFIX_BRANCH_PREFIX = 'hotfix/';

/** Options of {@link hotfixBranchName}. */
export interface HotfixBranchNameOptions {
  /** Prefix of the branch (default `hotfix/`); must make valid branch names (see {@link validateHotfixBranchPrefix}). */
  prefix?: string;
  /** Longest branch name produced (default 64; at least the prefix + 12, at most 255): the description is cut at a word boundary. */
  maxLength?: number;
}

/**
 * A description as a branch-name part: accents dropped, lowercase, every run of other characters as
 * one `-`, no leading or trailing `-`, at most `maxLength` characters (cut at a `-` when one is near).
 * Only `a-z`, `0-9` and `-` remain, so the result can never hold `..`, `.lock`, `@{` or a control
 * character. Empty when the text has no Latin letter or digit.
 */
export function hotfixBranchSlug(text: string, maxLength = 40): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['\u2018\u2019`]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= maxLength) return slug;
  const cut = slug.slice(0, Math.max(0, maxLength));
  // Cut at the last word boundary unless that loses more than half the room.
  const boundary = slug[cut.length] === '-' ? cut.length : cut.lastIndexOf('-');
  const kept = boundary >= maxLength / 2 ? cut.slice(0, boundary) : cut;
  return kept.replace(/-+$/, '');
}

// A ticket id is validated by the caller; this only guarantees a valid ref part whatever it is given.
function ticketPart(ticket: string, maxLength: number): string {
  let part = ticket
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+/, '');
  part = part.slice(0, Math.max(0, maxLength));
  for (let previous = ''; previous !== part;) {
    previous = part;
    part = part.replace(/[.-]+$/, '').replace(/\.lock$/i, '');
  }
  return part;
}

/**
 * Checks a hotfix branch prefix (`hotfix/`, `fix-`, `hotfixes/2026/`) and returns it; throws a
 * ConfigurationError naming `input` when branches with it could not be valid branch names.
 */
export function validateHotfixBranchPrefix(prefix: string, input = 'branch-prefix'): string {
  const sample = `${prefix}bd-a1b2-fix`;
  const problem = prefix.length > 40 ? 'it is longer than 40 characters' : refNameProblem(sample);
  if (problem !== undefined || prefix.startsWith('refs/')) {
    throw new ConfigurationError(
      `Input "${input}" must be a branch name prefix such as "hotfix/" that makes valid branch names, but ` +
        `${JSON.stringify(prefix)} does not: ${problem ?? 'it starts with "refs/"'}.`,
      input,
    );
  }
  return prefix;
}

/**
 * The branch of a hotfix, as the seed names it: `hotfix/<ticket>-<description>` (`hotfix/bd-a1b2-fix-login`),
 * or `hotfix/<ticket>` or `hotfix/<description>` when one is missing. The description, less any mention of the
 * ticket, is slugified (see {@link hotfixBranchSlug}) and the whole name bounded by `maxLength`; the result
 * always passes {@link refNameProblem}. Throws a ConfigurationError naming `description` when neither gives a usable part.
 */
export function hotfixBranchName(
  ticket: string | undefined,
  description: string | undefined,
  options: HotfixBranchNameOptions = {},
): string {
  const prefix = validateHotfixBranchPrefix(options.prefix ?? DEFAULT_HOTFIX_BRANCH_PREFIX);
  const maxLength = Math.min(255, Math.max(prefix.length + 12, Math.floor(options.maxLength ?? 64)));
  const room = maxLength - prefix.length;
  const id = ticket === undefined ? '' : ticketPart(ticket, room);
  const slugRoom = id === '' ? room : room - id.length - 1;
  // An issue title often repeats the ticket ("bd-a1b2: login fails"): name it once.
  const words = description === undefined || id === '' ? description : description.split(ticket!.trim()).join(' ');
  const slug = words === undefined || slugRoom < 3 ? '' : hotfixBranchSlug(words, slugRoom);
  const tail = [id, slug].filter((part) => part !== '').join('-');
  if (tail === '') {
    throw new ConfigurationError(
      'A hotfix branch name needs a ticket id or a description with letters or digits: set input "ticket" ' +
        '(e.g. bd-a1b2) or "description" (e.g. "fix login").',
      'description',
    );
  }
  const name = `${prefix}${tail}`;
  const problem = refNameProblem(name);
  // Unreachable by construction; a bug here must not hand out a dangerous name.
  if (problem !== undefined)
    throw new Error(`hotfixBranchName built an invalid name ${JSON.stringify(name)}: ${problem}`);
  return name;
}

// ---------------------------------------------------------------------------------------------
// Release branches, base branch and forward-port targets

/** A release branch with the line it stands for. */
export interface ReleaseBranchInfo {
  branch: string;
  line: ReleaseLine;
}

// A major-only line (1.x) follows the newest minor of its major, so it sorts after every 1.y.
function compareLines(a: ReleaseLine, b: ReleaseLine): number {
  if (a.major !== b.major) return a.major - b.major;
  return (a.minor ?? Number.POSITIVE_INFINITY) - (b.minor ?? Number.POSITIVE_INFINITY);
}

/** The branches that are release branches under `pattern`, oldest line first (ties by name). */
export function releaseBranchesByLine(
  branches: Iterable<string>,
  pattern: string = DEFAULT_RELEASE_BRANCH_PATTERN,
): ReleaseBranchInfo[] {
  const found: ReleaseBranchInfo[] = [];
  for (const branch of new Set(branches)) {
    const line = parseReleaseLine(branch, pattern);
    if (line !== undefined) found.push({ branch, line });
  }
  return found.sort((x, y) => compareLines(x.line, y.line) || (x.branch < y.branch ? -1 : x.branch > y.branch ? 1 : 0));
}

/** The release branch of the newest line (`release/v1.10` over `release/v1.9`), or undefined when there is none. */
export function newestReleaseBranch(
  branches: Iterable<string>,
  pattern: string = DEFAULT_RELEASE_BRANCH_PATTERN,
): string | undefined {
  return releaseBranchesByLine(branches, pattern).at(-1)?.branch;
}

/** Where a hotfix branch starts: the release branch (emergency, release-first) or the trunk (trunk-first, regular issue). */
export function hotfixBaseBranch(
  approach: HotfixApproach,
  branches: { releaseBranch?: string; trunk: string },
): string {
  if (approach === 'trunk-first' || approach === 'regular-issue') return branches.trunk;
  if (branches.releaseBranch === undefined) throw missingReleaseBranch(approach);
  return branches.releaseBranch;
}

function missingReleaseBranch(approach: HotfixApproach): ConfigurationError {
  return new ConfigurationError(
    `The ${HOTFIX_APPROACH_TITLES[approach].replace(/ \(.*\)$/, '').toLowerCase()} needs a release branch, and none ` +
      'was found: set input "release-branch" (e.g. release/v1.2), fix "release-branch-pattern" to match your ' +
      'release branches, or create the branch from the release tag (git push origin v1.2.3:refs/heads/release/v1.2).',
    'release-branch',
  );
}

/** What {@link hotfixForwardPortTargets} needs. */
export interface HotfixTargetsInput {
  approach: HotfixApproach;
  /** The affected release branch. */
  releaseBranch?: string;
  trunk: string;
  /** Every branch of the repository (release branches are picked out with `releaseBranchPattern`). */
  branches: Iterable<string>;
  releaseBranchPattern?: string;
}

/**
 * Where the fix must go after its first merge (hotfix-rules IV, V.A): for an emergency or release-first hotfix,
 * every release line newer than the fixed one (oldest first), then the trunk last; for trunk-first, the release
 * branch and any newer line (newest first, walking back from trunk); for a regular issue, nothing.
 */
export function hotfixForwardPortTargets(input: HotfixTargetsInput): string[] {
  if (input.approach === 'regular-issue') return [];
  if (input.releaseBranch === undefined) throw missingReleaseBranch(input.approach);
  const pattern = input.releaseBranchPattern ?? DEFAULT_RELEASE_BRANCH_PATTERN;
  const line = parseReleaseLine(input.releaseBranch, pattern);
  const lines = releaseBranchesByLine(input.branches, pattern).filter((entry) => entry.branch !== input.trunk);
  const newer = line === undefined ? [] : lines.filter((entry) => compareLines(entry.line, line) > 0);
  const releaseSide = newer.map((entry) => entry.branch).filter((branch) => branch !== input.releaseBranch);
  if (input.approach === 'trunk-first') return [...releaseSide.reverse(), input.releaseBranch];
  return [...releaseSide, input.trunk].filter((branch) => branch !== input.releaseBranch);
}

// ---------------------------------------------------------------------------------------------
// Checklist, procedures and quality gates

/** One item of the validation checklist. */
export interface HotfixChecklistItem {
  id: string;
  text: string;
}

/** The seed's validation checklist (hotfix-rules VI), verbatim; `p0Only` items apply to P0 / emergencies. */
export const HOTFIX_VALIDATION_CHECKLIST: readonly (HotfixChecklistItem & { p0Only?: boolean })[] = [
  { id: 'deployed', text: 'Fix is deployed to production' },
  { id: 'health-checks', text: 'Health checks passing' },
  { id: 'error-rates', text: 'Error rates returned to normal' },
  { id: 'customer-impact', text: 'Customer impact confirmed resolved' },
  { id: 'ticket-updated', text: 'Beads ticket updated with closure notes' },
  { id: 'forward-ported', text: 'Fix forward-ported to trunk (or documented why not)' },
  { id: 'post-incident-review', text: 'Post-incident review scheduled (for P0s)', p0Only: true },
  { id: 'team-notified', text: 'Team notified of completion' },
];

/**
 * The validation checklist for one hotfix: the seed's items, the post-incident review only for an emergency
 * or a P0, and for trunk-first (where trunk is fixed first) the backport to the release branch instead of the
 * forward-port. A regular issue is not a hotfix: no checklist.
 */
export function hotfixValidationChecklist(approach: HotfixApproach, severity?: HotfixSeverity): HotfixChecklistItem[] {
  if (approach === 'regular-issue') return [];
  const p0 = approach === 'emergency' || severity === 'P0';
  return HOTFIX_VALIDATION_CHECKLIST.filter((item) => p0 || item.p0Only !== true).map(({ id, text }) =>
    approach === 'trunk-first' && id === 'forward-ported'
      ? {
          id: 'backported',
          text: 'Fix cherry-picked to the release branch and deployed from it (or documented why not)',
        }
      : { id, text },
  );
}

/** The seed's Quick Reference (Appendix), verbatim, per hotfix approach. */
export const HOTFIX_QUICK_REFERENCE: Readonly<Record<Exclude<HotfixApproach, 'regular-issue'>, readonly string[]>> = {
  emergency: [
    'Create ticket (priority 0)',
    'Branch from release/vX.Y',
    'Fix + minimal test',
    'Deploy (use break-glass if needed)',
    'Forward-port to main',
    'Update ticket',
  ],
  'release-first': [
    'Create ticket (priority 1)',
    'Branch from release/vX.Y',
    'Fix + full tests',
    'PR → release branch',
    'Deploy',
    'Cherry-pick → main',
    'Close ticket',
  ],
  'trunk-first': [
    'Create ticket (priority 1)',
    'Branch from main',
    'Fix + full tests',
    'PR → main',
    'Cherry-pick → release branch',
    'Deploy from release',
    'Close ticket',
  ],
};

/** The Quick Reference steps of an approach with the real branch names in place of `release/vX.Y` and `main`. */
export function hotfixProcedureSteps(
  approach: HotfixApproach,
  branches: { releaseBranch?: string; trunk: string; hotfixBranch?: string },
): string[] {
  if (approach === 'regular-issue') {
    return [`Create a regular issue and fix it on ${branches.trunk} for the next release (not a hotfix)`];
  }
  const release = branches.releaseBranch ?? 'the release branch';
  return HOTFIX_QUICK_REFERENCE[approach].map((step) => {
    let text = step
      .replace('release/vX.Y', release)
      .replace('→ release branch', `→ ${release}`)
      .replace(/\bmain\b/, branches.trunk);
    if (branches.hotfixBranch !== undefined && /^Branch from /.test(text)) text += ` as ${branches.hotfixBranch}`;
    return text;
  });
}

/** The quality gates of phase 6.5 that must pass before a hotfix merges. */
export const HOTFIX_QUALITY_GATES: readonly string[] = [
  'Test coverage ≥ 80 %',
  'All tests passing, including the new regression test',
  'Linting clean',
  'Type checking clean',
  'Build successful',
];

/** Phase 6.3's advice on writing a specification first, for an approach. */
export function hotfixSpecAdvice(approach: HotfixApproach): string {
  if (approach === 'emergency') return 'Skip the specification: a time-critical emergency is fixed immediately.';
  if (approach === 'regular-issue') return 'Plan it with the rest of the next release.';
  return (
    'Write a short specification only when the fix spans several files, needs a task breakdown or team review, ' +
    'or changes the architecture; skip it for a one-line or obvious fix.'
  );
}

// ---------------------------------------------------------------------------------------------
// The whole plan

/** What {@link planHotfix} needs: the decision's facts and the repository's branches. */
export interface HotfixPlanInput extends HotfixDecisionInput {
  trunk: string;
  /** The affected release branch (the newest by default: see {@link newestReleaseBranch}). */
  releaseBranch?: string;
  /** Every branch of the repository, for the forward-port targets. */
  branches?: Iterable<string>;
  releaseBranchPattern?: string;
  /** The ticket id, for the hotfix branch name. */
  ticket?: string;
  /** A short description, for the hotfix branch name. */
  description?: string;
  /** Options of the hotfix branch name. */
  branch?: HotfixBranchNameOptions;
}

/** A complete hotfix plan: the decision and what to do. */
export interface HotfixPlan {
  decision: HotfixDecision;
  approach: HotfixApproach;
  /** The branch the hotfix branch starts from and its pull request targets. */
  baseBranch: string;
  /** The hotfix branch to create; undefined for a regular issue or with neither ticket nor description. */
  hotfixBranch?: string;
  /** Where the fix goes after its first merge (see {@link hotfixForwardPortTargets}). */
  targets: string[];
  checklist: HotfixChecklistItem[];
  /** The Quick Reference steps with real branch names. */
  steps: string[];
}

/** Decides the approach and derives the base branch, hotfix branch, targets, checklist and steps. */
export function planHotfix(input: HotfixPlanInput): HotfixPlan {
  const decision = decideHotfixApproach(input);
  const { approach } = decision;
  const pattern = input.releaseBranchPattern ?? DEFAULT_RELEASE_BRANCH_PATTERN;
  const branches = [...(input.branches ?? [])];
  const releaseBranch = input.releaseBranch ?? newestReleaseBranch(branches, pattern);
  const where = { trunk: input.trunk, ...(releaseBranch === undefined ? {} : { releaseBranch }) };
  const baseBranch = hotfixBaseBranch(approach, where);
  const targets = hotfixForwardPortTargets({ approach, ...where, branches, releaseBranchPattern: pattern });
  const hotfixBranch =
    approach === 'regular-issue' || (input.ticket === undefined && input.description === undefined)
      ? undefined
      : hotfixBranchName(input.ticket, input.description, input.branch);
  return {
    decision,
    approach,
    baseBranch,
    ...(hotfixBranch === undefined ? {} : { hotfixBranch }),
    targets,
    checklist: hotfixValidationChecklist(approach, decision.severity),
    steps: hotfixProcedureSteps(approach, { ...where, ...(hotfixBranch === undefined ? {} : { hotfixBranch }) }),
  };
}

// ---------------------------------------------------------------------------------------------
// Q2: which trunk commits are unreleased

/** A commit on trunk that the latest release tag does not contain (as the compare API lists them). */
export interface TrunkCommit {
  sha: string;
  message: string;
  /** Parent SHAs, first parent first. */
  parents: readonly string[];
}

/** Why a trunk commit does or does not count as an unreleased feature. */
export type TrunkCommitKind = 'unreleased' | 'back-merge' | 'back-merged' | 'cherry-pick' | 'version';

/** A trunk commit with its verdict. */
export interface ClassifiedTrunkCommit {
  commit: TrunkCommit;
  kind: TrunkCommitKind;
  /** Why, as a phrase (`back-merge (merge commit)`, `version commit`, `brought in by back-merge 1a2b3c4`). */
  why: string;
}

/** Options of {@link classifyTrunkCommits}. */
export interface TrunkCommitOptions {
  /**
   * Commits known to be released (on a release branch or tag). When given, a cherry-pick counts as a
   * forward-port only when its source is one of them (full or abbreviated SHA); when not given, every
   * `git cherry-pick -x` commit counts as one.
   */
  releasedCommits?: ReadonlySet<string>;
}

function subjectOf(message: string): string {
  return (message.split(/\r?\n/, 1)[0] ?? '').trim();
}

// Branch families whose merges into trunk bring released code back: back-merges, forward-ports and
// release branches. (A hotfix/ branch merged straight into trunk is a trunk-first fix, not released yet.)
const BACKMERGE_FAMILY = '(?:back-?merge|forward-?port|release)s?/';
const BACKMERGE_MERGE_SUBJECTS: readonly RegExp[] = [
  new RegExp(`^Merge pull request #\\d+ from [^\\s/]+/${BACKMERGE_FAMILY}`, 'i'),
  new RegExp(`^Merge (?:remote-tracking )?branch(?:es)? '(?:origin/)?${BACKMERGE_FAMILY}`, 'i'),
  new RegExp(`^Merge ${BACKMERGE_FAMILY}`, 'i'),
  /^Merge tag '[^']+'/i,
];
const BACKMERGE_SUBJECTS: readonly RegExp[] = [
  /^[a-z]+(?:\([^)]*\))?!?:\s*(?:back-?merge|forward-?port)\b/i,
  /^(?:back-?merge|forward-?port)\b/i,
];
const VERSION_SUBJECTS: readonly RegExp[] = [
  /^chore\(release\)!?:/i,
  /^(?:chore|build|ci)(?:\([^)]*\))?!?:\s*(?:bump|update|set)\s+(?:the\s+)?(?:package\s+)?version\b/i,
  /^(?:chore|build|ci)(?:\([^)]*\))?!?:\s*(?:release|prepare release|version)\s+v?\d+\.\d+\.\d+/i,
  /^(?:chore(?:\([^)]*\))?!?:\s*)?bump\s+(?:the\s+)?version\b/i,
  /^(?:release|prepare release|version)\s+v?\d+\.\d+\.\d+\S*$/i,
  /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\s+\[skip ci\])?$/i,
  /^(?:docs|chore)\(release\)!?:.*changelog/i,
  /^(?:docs|chore)(?:\([^)]*\))?!?:\s*update changelog\b/i,
];
const CHERRY_PICK = /\(cherry picked from commit ([0-9a-f]{7,64})\)/gi;

/** True for a merge subject that brings a back-merge, forward-port, release branch or tag into trunk. */
export function isBackmergeMergeMessage(message: string): boolean {
  const subject = subjectOf(message);
  return BACKMERGE_MERGE_SUBJECTS.some((pattern) => pattern.test(subject));
}

/** True for the subject of a (squashed) back-merge: `chore(hotfix): back-merge bd-a1b2`, `Back-merge v1.2.4`. */
export function isBackmergeCommitMessage(message: string): boolean {
  const subject = subjectOf(message);
  return BACKMERGE_SUBJECTS.some((pattern) => pattern.test(subject)) || isBackmergeMergeMessage(message);
}

/** True for a version commit: `chore(release): 1.2.4`, `chore: bump version to 1.2.4`, `1.2.4` (npm version), changelog updates. */
export function isVersionCommitMessage(message: string): boolean {
  const subject = subjectOf(message);
  return VERSION_SUBJECTS.some((pattern) => pattern.test(subject));
}

/** The source SHAs named by `(cherry picked from commit …)` lines (what `git cherry-pick -x` writes). */
export function cherryPickSources(message: string): string[] {
  return [...new Set([...message.matchAll(CHERRY_PICK)].map((match) => (match[1] ?? '').toLowerCase()))];
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function ancestorsWithin(start: readonly string[], bySha: ReadonlyMap<string, TrunkCommit>): Set<string> {
  const seen = new Set<string>();
  const stack = start.filter((sha) => bySha.has(sha));
  while (stack.length > 0) {
    const sha = stack.pop()!;
    if (seen.has(sha)) continue;
    seen.add(sha);
    for (const parent of bySha.get(sha)?.parents ?? []) if (bySha.has(parent) && !seen.has(parent)) stack.push(parent);
  }
  return seen;
}

function isReleased(source: string, released: ReadonlySet<string>): boolean {
  if (released.has(source)) return true;
  for (const sha of released) if (sha.startsWith(source) || source.startsWith(sha)) return true;
  return false;
}

/**
 * Sorts the trunk commits a release tag does not contain into unreleased work and what Q2 ignores:
 * back-merge merges (of `backmerge/*`, `forward-port/*`, `release/*` branches or a tag) and every commit
 * they bring in from their other parents, squashed back-merges (`chore(hotfix): back-merge …`), forward-port
 * cherry-picks (`(cherry picked from commit …)`, see {@link TrunkCommitOptions.releasedCommits}) and version
 * commits (`chore(release): …`, `chore: bump version …`).
 */
export function classifyTrunkCommits(
  commits: readonly TrunkCommit[],
  options: TrunkCommitOptions = {},
): ClassifiedTrunkCommit[] {
  const bySha = new Map(commits.map((commit) => [commit.sha, commit]));
  const broughtBy = new Map<string, string>();
  for (const commit of commits) {
    if (commit.parents.length < 2 || !isBackmergeMergeMessage(commit.message)) continue;
    // The commits the merge brings are those of its other parents that trunk (first parent) lacks.
    const trunkSide = ancestorsWithin(commit.parents.slice(0, 1), bySha);
    for (const sha of ancestorsWithin(commit.parents.slice(1), bySha)) {
      if (!trunkSide.has(sha) && !broughtBy.has(sha)) broughtBy.set(sha, commit.sha);
    }
  }
  return commits.map((commit): ClassifiedTrunkCommit => {
    if (commit.parents.length >= 2 && isBackmergeMergeMessage(commit.message)) {
      return { commit, kind: 'back-merge', why: 'back-merge (merge commit)' };
    }
    const merge = broughtBy.get(commit.sha);
    if (merge !== undefined) return { commit, kind: 'back-merged', why: `brought in by back-merge ${short(merge)}` };
    if (isBackmergeCommitMessage(commit.message)) {
      return { commit, kind: 'back-merge', why: 'squashed back-merge' };
    }
    if (isVersionCommitMessage(commit.message)) return { commit, kind: 'version', why: 'version commit' };
    const sources = cherryPickSources(commit.message);
    if (sources.length > 0) {
      const released = options.releasedCommits;
      const source = released === undefined ? sources[0] : sources.find((sha) => isReleased(sha, released));
      if (source !== undefined) return { commit, kind: 'cherry-pick', why: `forward-port of ${short(source)}` };
      return {
        commit,
        kind: 'unreleased',
        why: `cherry-pick of ${sources.map(short).join(', ')}, which no release contains`,
      };
    }
    return { commit, kind: 'unreleased', why: 'not in a release' };
  });
}

/** Q2's answer with the evidence for it. */
export interface TrunkAssessment {
  trunkHasUnreleased: boolean | 'unknown';
  /** A phrase for the reason: `main has 2 unreleased commits since v1.2.0 (first: 1a2b3c4 "feat: …")`. */
  evidence: string;
  /** The unreleased commits found. */
  unreleased: ClassifiedTrunkCommit[];
  /** The commits ignored (back-merges, forward-ports, version commits). */
  ignored: ClassifiedTrunkCommit[];
}

/**
 * Answers Q2 from the classified commits between the latest release tag and trunk. Any unreleased commit
 * makes it yes; when only part of the commits could be read (`complete` false) and none is unreleased, the
 * answer is `unknown` (the seed: uncertain means release-first).
 */
export function assessTrunkUnreleased(
  classified: readonly ClassifiedTrunkCommit[],
  context: { trunk: string; tag: string; complete?: boolean; total?: number },
): TrunkAssessment {
  const unreleased = classified.filter((entry) => entry.kind === 'unreleased');
  const ignored = classified.filter((entry) => entry.kind !== 'unreleased');
  const { trunk, tag } = context;
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (unreleased.length > 0) {
    const first = unreleased[0]!.commit;
    const subject = subjectOf(first.message);
    const shown = subject.length > 60 ? `${subject.slice(0, 60)}…` : subject;
    return {
      trunkHasUnreleased: true,
      evidence: `${trunk} has ${plural(unreleased.length, 'unreleased commit')} since ${tag}, first ${short(first.sha)} "${shown}"`,
      unreleased,
      ignored,
    };
  }
  if (context.complete === false) {
    const total = context.total ?? classified.length;
    return {
      trunkHasUnreleased: 'unknown',
      evidence: `only ${classified.length} of the ${plural(total, 'commit')} on ${trunk} since ${tag} could be checked`,
      unreleased,
      ignored,
    };
  }
  return {
    trunkHasUnreleased: false,
    evidence:
      classified.length === 0
        ? `${trunk} has no commits since ${tag}`
        : `the ${plural(classified.length, 'commit')} on ${trunk} since ${tag} are back-merges or version commits`,
    unreleased,
    ignored,
  };
}

// ---------------------------------------------------------------------------------------------
// Pull request policy

/** The rules a hotfix pull request is checked against, with the seed's section. */
export type HotfixPolicyRule = 'one-ticket' | 'tests-changed' | 'pr-section' | 'release-first-base';

/** One policy miss. */
export interface HotfixPolicyFinding {
  rule: HotfixPolicyRule;
  /** The seed section: `VII.4`, `II.A.2`, `II.C`, `VII.1`. */
  reference: string;
  /** A short title for an annotation. */
  title: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** For `pr-section`: the section's id (`root-cause`, `fix`, `testing`, `rollback`). */
  section?: string;
}

/** A file a pull request changes, as the API lists it. */
export interface HotfixChangedFile {
  filename: string;
  /** `added`, `modified`, `removed`, `renamed` …; removed files never count as tests added. */
  status?: string;
}

/** What the policy looks at in a pull request. */
export interface HotfixPullRequestFacts {
  title: string;
  body: string;
  /** The head branch (`hotfix/bd-a1b2-fix-login`). */
  headRef: string;
  /** The base branch. */
  baseRef: string;
  commits: readonly { message: string }[];
  files: readonly HotfixChangedFile[];
  /** False when the file list was cut short (the compare API lists at most 300 files). */
  filesComplete?: boolean;
}

/** The default patterns of test files: test/spec suffixes of common languages and test directories. */
export const DEFAULT_TEST_FILE_PATTERNS: readonly string[] = [
  '*.test.*',
  '*.spec.*',
  '*_test.*',
  '*_spec.*',
  'test_*.py',
  '*Test.*',
  '*Tests.*',
  'test/',
  'tests/',
  '__tests__/',
  'spec/',
  'e2e/',
];

function globBody(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      const slashAfter = pattern[i + 2] === '/';
      out += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) {
        out += '\\{';
        continue;
      }
      out += `(?:${pattern
        .slice(i + 1, end)
        .split(',')
        .map((part) => globBody(part))
        .join('|')})`;
      i = end;
    } else {
      out += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}

/**
 * A matcher of repository paths for glob patterns, with .gitignore's reading: `*` within a path part, `**`
 * across parts, `?`, `{a,b}`; a pattern without `/` matches a file name at any depth (`*.test.*`); one ending
 * in `/` matches every file under such a directory (`test/`); a leading `/` anchors at the root.
 */
export function hotfixFileMatcher(patterns: readonly string[]): (path: string) => boolean {
  const compiled = patterns
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '')
    .map((pattern) => {
      const directory = pattern.endsWith('/');
      let body = directory ? pattern.replace(/\/+$/, '') : pattern;
      const anchored = body.startsWith('/') || body.includes('/');
      body = body.replace(/^\/+/, '');
      const start = anchored ? '^' : '^(?:.*/)?';
      return new RegExp(`${start}${globBody(body)}${directory ? '/.+' : ''}$`);
    });
  return (path) => compiled.some((regexp) => regexp.test(path.replace(/^\/+/, '')));
}

/** VII.4 and VII.6: the pull request is about exactly one ticket. */
export function checkHotfixTicket(
  facts: Pick<HotfixPullRequestFacts, 'title' | 'body' | 'headRef' | 'commits'>,
  options: TicketIdOptions = {},
): HotfixPolicyFinding[] {
  // Tickets the pull request is *about*: named in its branch, title or commit subjects, or closed by a
  // body ("Resolves bd-a1b2"). Other mentions in prose (related work, a root cause elsewhere) do not count.
  const ids = new Set<string>();
  const add = (list: readonly string[]) => list.forEach((id) => ids.add(id));
  add(extractTicketIds(facts.headRef, options));
  add(extractTicketIds(facts.title, options));
  for (const { message } of facts.commits) {
    add(extractTicketIds(subjectOf(message), options));
    add(
      extractTicketReferences(message, options)
        .filter((ref) => ref.closes)
        .map((ref) => ref.id),
    );
  }
  add(
    extractTicketReferences(facts.body, options)
      .filter((ref) => ref.closes)
      .map((ref) => ref.id),
  );
  const prefix = options.prefixes?.[0] ?? 'bd';
  if (ids.size === 0) {
    return [
      {
        rule: 'one-ticket',
        reference: 'VII.6',
        title: 'Hotfix policy: no ticket',
        message:
          `The pull request names no ticket: put its id in the branch name (hotfix/${prefix}-a1b2-fix-login), the ` +
          `title or a commit ("hotfix(${prefix}-a1b2): …", "Resolves ${prefix}-a1b2"); a hotfix without a ticket ` +
          'loses traceability (VII.6).',
      },
    ];
  }
  if (ids.size > 1) {
    return [
      {
        rule: 'one-ticket',
        reference: 'VII.4',
        title: 'Hotfix policy: one ticket per hotfix',
        message:
          `The pull request is about ${ids.size} tickets (${[...ids].join(', ')}): batching fixes in one hotfix ` +
          'increases risk (VII.4). Split it into one hotfix per ticket.',
      },
    ];
  }
  return [];
}

/** II.A.2 and VII.2: the diff adds or changes at least one test file. */
export function checkHotfixTests(
  files: readonly HotfixChangedFile[],
  patterns: readonly string[] = DEFAULT_TEST_FILE_PATTERNS,
  options: { complete?: boolean } = {},
): HotfixPolicyFinding[] {
  const isTest = hotfixFileMatcher(patterns);
  if (files.some((file) => file.status !== 'removed' && isTest(file.filename))) return [];
  const listed = files.map((file) => file.filename);
  const shown =
    listed.length > 5 ? `${listed.slice(0, 5).join(', ')} and ${listed.length - 5} more` : listed.join(', ');
  const cut = options.complete === false ? ' (only the first files of this large diff could be listed)' : '';
  return [
    {
      rule: 'tests-changed',
      reference: 'II.A.2',
      title: 'Hotfix policy: no test changed',
      message:
        `No test file is added or changed${cut}: every hotfix adds a regression test, even a minimal one in an ` +
        `emergency (II.A.2, VII.2). Changed: ${shown === '' ? 'nothing' : shown}. Test files are recognised by ` +
        `${patterns.join(', ')}.`,
    },
  ];
}

/** A section of the pull request body required by hotfix-rules II.C. */
export interface HotfixPrSection {
  id: string;
  /** The name used in messages. */
  title: string;
  /** Headings that start with one of these (normalised: lowercase, words only) name the section. */
  headings: readonly string[];
  /** Phrases that name the section anywhere in a heading (`Summary and root cause`). */
  keywords: readonly string[];
  /** What to write, for the finding's message. */
  hint: string;
}

/** The sections II.C asks of every hotfix: root cause, fix description, testing notes, rollback procedure. */
export const HOTFIX_PR_SECTIONS: readonly HotfixPrSection[] = [
  {
    id: 'root-cause',
    title: 'Root cause',
    headings: ['cause', 'causes', 'rca', 'why', 'what went wrong', 'analysis'],
    keywords: ['root cause', 'root causes', 'rca'],
    hint: 'what caused the bug',
  },
  {
    id: 'fix',
    title: 'Fix description',
    headings: [
      'fix',
      'fixes',
      'the fix',
      'solution',
      'resolution',
      'changes',
      'change',
      'what changed',
      'implementation',
    ],
    keywords: ['fix', 'fix description', 'solution', 'what changed'],
    hint: 'what the change does and why it fixes the cause',
  },
  {
    id: 'testing',
    title: 'Testing notes',
    headings: ['test', 'tests', 'testing', 'test plan', 'verification', 'qa', 'how to test', 'how was this tested'],
    keywords: ['testing', 'test plan', 'verification', 'tested', 'regression test'],
    hint: 'how the fix was verified, and the regression test added',
  },
  {
    id: 'rollback',
    title: 'Rollback procedure',
    headings: ['rollback', 'roll back', 'revert', 'backout', 'back out', 'undo'],
    keywords: ['rollback', 'roll back', 'backout', 'back out', 'revert plan'],
    hint: 'how to undo it (one line such as "revert the merge commit" is enough when it is simple)',
  },
];

function normalizeHeading(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^\d+\s+/, '');
}

function headingSections(heading: string, sections: readonly HotfixPrSection[]): string[] {
  const text = normalizeHeading(heading);
  if (text === '') return [];
  const words = ` ${text} `;
  return sections
    .filter(
      (section) =>
        section.headings.some((alias) => text === alias || text.startsWith(`${alias} `)) ||
        section.keywords.some((keyword) => words.includes(` ${keyword} `)),
    )
    .map((section) => section.id);
}

interface HeadingMarker {
  line: number;
  /** ATX level 1–6; 7 for bold or label lines (they end at the next heading of any kind). */
  level: number;
  sections: string[];
  /** Text on the heading line itself after a bold or label heading (`**Root cause:** the cache …`). */
  inline: string;
}

const ATX = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BOLD = /^\s*(?:[-*]\s+)?(?:\*\*|__)([^*_]{1,80}?)(?::\s*)?(?:\*\*|__)\s*:?\s*(.*)$/;
const LABEL = /^\s*(?:[-*]\s+)?([A-Za-z][A-Za-z0-9 /&'-]{0,40}?)\s*:\s*(.*)$/;

/**
 * The II.C sections found in a pull request body, by id, with their text. Headings are read tolerantly:
 * `## Root cause`, `### 1. Root Cause Analysis`, `**Root cause:** …`, `Rollback: revert the merge`, with
 * synonyms (`RCA`, `Solution`, `Test plan`, `Verification`, `Revert plan` …). HTML comments are ignored.
 */
export function findHotfixPrSections(
  body: string,
  sections: readonly HotfixPrSection[] = HOTFIX_PR_SECTIONS,
): Map<string, string> {
  const text = body.replace(/<!--[\s\S]*?-->/g, '');
  const lines = text.split(/\r?\n/);
  const markers: HeadingMarker[] = [];
  let fenced = false;
  for (const [index, line] of lines.entries()) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const atx = ATX.exec(line);
    if (atx) {
      markers.push({ line: index, level: atx[1]!.length, sections: headingSections(atx[2]!, sections), inline: '' });
      continue;
    }
    const bold = BOLD.exec(line);
    if (bold && headingSections(bold[1]!, sections).length > 0) {
      markers.push({ line: index, level: 7, sections: headingSections(bold[1]!, sections), inline: bold[2]! });
      continue;
    }
    const label = LABEL.exec(line);
    if (label && headingSections(label[1]!, sections).length > 0) {
      markers.push({ line: index, level: 7, sections: headingSections(label[1]!, sections), inline: label[2]! });
    }
  }
  const found = new Map<string, string>();
  for (const [position, marker] of markers.entries()) {
    if (marker.sections.length === 0) continue;
    // An ATX section runs to the next heading of its level or higher, or to any other known section.
    const next = markers
      .slice(position + 1)
      .find((other) => other.level <= marker.level || other.sections.length > 0 || marker.level === 7);
    const content = [marker.inline, ...lines.slice(marker.line + 1, next?.line ?? lines.length)].join('\n').trim();
    for (const id of marker.sections) {
      const previous = found.get(id);
      if (previous === undefined || (isBlankSection(previous) && !isBlankSection(content))) found.set(id, content);
    }
  }
  return found;
}

function isBlankSection(content: string): boolean {
  return (
    content
      .replace(/\b(?:todo|tbd|fixme|xxx)\b/gi, '')
      .replace(/\.{3}|…/g, '')
      .replace(/[\s\-*_>#`[\]:]/g, '') === ''
  );
}

/** II.C: the body has a root cause, a fix description, testing notes and a rollback procedure, each filled in. */
export function checkHotfixPrBody(
  body: string,
  sections: readonly HotfixPrSection[] = HOTFIX_PR_SECTIONS,
): HotfixPolicyFinding[] {
  const found = findHotfixPrSections(body, sections);
  const findings: HotfixPolicyFinding[] = [];
  for (const section of sections) {
    const content = found.get(section.id);
    if (content !== undefined && !isBlankSection(content)) continue;
    const missing = content === undefined;
    findings.push({
      rule: 'pr-section',
      reference: 'II.C',
      section: section.id,
      title: `Hotfix policy: ${missing ? 'no' : 'empty'} "${section.title}" section`,
      message: missing
        ? `The pull request body has no "${section.title}" section (II.C): add a heading "## ${section.title}" with ${section.hint}.`
        : `The "${section.title}" section of the pull request body is empty (II.C): write ${section.hint}.`,
    });
  }
  return findings;
}

/**
 * VII.1: a hotfix pull request into trunk while trunk has unreleased features (or it is uncertain) — it
 * should target the release branch and be forward-ported.
 */
export function checkHotfixPrBase(
  facts: Pick<HotfixPullRequestFacts, 'baseRef'>,
  plan: { trunk: string; releaseBranch?: string; trunkHasUnreleased: boolean | 'unknown'; trunkEvidence?: string },
): HotfixPolicyFinding[] {
  if (facts.baseRef !== plan.trunk || plan.trunkHasUnreleased === false) return [];
  const why =
    plan.trunkHasUnreleased === true
      ? `${plan.trunk} has unreleased features`
      : `it is uncertain whether ${plan.trunk} has unreleased features`;
  const evidence = plan.trunkEvidence === undefined ? '' : ` (${plan.trunkEvidence})`;
  return [
    {
      rule: 'release-first-base',
      reference: 'VII.1',
      title: 'Hotfix policy: hotfix targets trunk',
      message:
        `This hotfix targets ${plan.trunk}, but ${why}${evidence}: a hotfix of trunk could leak them to production ` +
        `(VII.1). Target ${plan.releaseBranch ?? 'the release branch'} instead and forward-port to ${plan.trunk}.`,
    },
  ];
}

/** Options of {@link checkHotfixPullRequest}. */
export interface HotfixPolicyOptions {
  tickets?: TicketIdOptions;
  testPatterns?: readonly string[];
  sections?: readonly HotfixPrSection[];
  /** The plan's view of trunk, for the VII.1 check; left out, that check is skipped. */
  plan?: Parameters<typeof checkHotfixPrBase>[1];
}

/** Every policy check on a hotfix pull request: one ticket, tests changed, II.C sections, and VII.1 when a plan is given. */
export function checkHotfixPullRequest(
  facts: HotfixPullRequestFacts,
  options: HotfixPolicyOptions = {},
): HotfixPolicyFinding[] {
  return [
    ...checkHotfixTicket(facts, options.tickets),
    ...checkHotfixTests(facts.files, options.testPatterns, { complete: facts.filesComplete !== false }),
    ...checkHotfixPrBody(facts.body, options.sections),
    ...(options.plan === undefined ? [] : checkHotfixPrBase(facts, options.plan)),
  ];
}
