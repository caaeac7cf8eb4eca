import { ConfigurationError } from './errors.js';

/** The default Beads issue prefix (`issue-prefix` in `.beads/config.yaml`). */
export const DEFAULT_TICKET_PREFIXES: readonly string[] = ['bd'];

/** Namespaces Beads puts between the prefix and the hash (`bd-mol-x7k2`, `bd-wisp-03g`, `bd-eph-5h2`). */
export const DEFAULT_TICKET_NAMESPACES: readonly string[] = ['mol', 'wisp', 'eph'];

/** How ticket ids look and which ones count. */
export interface TicketIdOptions {
  /**
   * Issue prefixes, e.g. `['bd']` (the default) or `['bd', 'ops']`. Case-sensitive. Bad prefixes throw a
   * ConfigurationError about `ticket-prefix`: check prefixes from another input with {@link validateTicketPrefixes}.
   */
  prefixes?: readonly string[];
  /** Namespace segments allowed between prefix and hash; default {@link DEFAULT_TICKET_NAMESPACES}. */
  namespaces?: readonly string[];
  /**
   * Ids known to exist (e.g. from `.beads/issues.jsonl`). A match is extended to the longest known id
   * that starts at the same place, so ids with extra hyphenated words (`bd-beads-crew-dave`) are found whole.
   */
  knownIds?: Iterable<string>;
  /** Return only ids found in `knownIds` (default false). */
  onlyKnown?: boolean;
}

/** A ticket mentioned in a text, and whether the mention closes it (`Resolves bd-a1b2`, `Fixes bd-a1b2`). */
export interface TicketReference {
  /** The ticket id, e.g. `bd-a1b2`. */
  id: string;
  /** True when at least one mention follows a closing keyword (close, fix, resolve and their -s/-d/-ed forms). */
  closes: boolean;
}

const PREFIX_SHAPE = /^[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$/;
const NAMESPACE_SHAPE = /^[a-z0-9]+$/;

// The hash: base36 of 3–12 characters (Beads writes 3–8; older data has 8-digit hex), or the 1–2 digit
// sequential ids of early Beads versions. Children of hierarchical ids follow as `.N` (`bd-a1b2.1.3`).
const HASH = '(?:[0-9a-z]{3,12}|[0-9]{1,2})(?:\\.[0-9]{1,6})*';
// An id never starts right after a letter, digit, "." or "@" (`abd-123`, `x.bd-abc`, `@bd-abc` are not ids)
// and never runs into a following letter, digit or "@".
const BEFORE = '(?<![A-Za-z0-9.@])';
const AFTER = '(?![A-Za-z0-9@])';

// URLs and e-mail addresses are blanked out before searching: `https://host/bd-a1b2` or
// `bd-a1b2@example.com` are addresses, not mentions of a ticket.
// Bounded repetitions keep the scan linear on long unbroken text (a pasted blob in a PR body).
const URL_OR_EMAIL =
  /[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s<>"'`]*|[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;

const CLOSING = /(?:^|[^A-Za-z])(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s*$/i;

interface CompiledTicketMatcher {
  pattern: RegExp;
  anchored: RegExp;
  extensions: Map<string, string[]>;
  known: Set<string> | undefined;
  onlyKnown: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Checks ticket prefixes (letters, digits, `_` and inner `-`, starting with a letter) and returns them;
 * throws a ConfigurationError naming `input` otherwise, or when the list is empty.
 */
export function validateTicketPrefixes(prefixes: readonly string[], input = 'ticket-prefix'): string[] {
  if (prefixes.length === 0) {
    throw new ConfigurationError(`Input "${input}" must name at least one ticket prefix, such as bd.`, input);
  }
  for (const prefix of prefixes) {
    if (!PREFIX_SHAPE.test(prefix) || prefix.length > 32) {
      throw new ConfigurationError(
        `Input "${input}" must list ticket prefixes made of letters, digits, "_" and inner "-", starting with ` +
          `a letter (such as bd or ops), but ${JSON.stringify(prefix)} is not one.`,
        input,
      );
    }
  }
  return [...prefixes];
}

const compiled = new WeakMap<TicketIdOptions, CompiledTicketMatcher>();

// Options objects are usually made once and reused for many texts: compile each only once.
function compile(options: TicketIdOptions): CompiledTicketMatcher {
  let matcher = compiled.get(options);
  if (matcher === undefined) {
    matcher = build(options);
    compiled.set(options, matcher);
  }
  return matcher;
}

function build(options: TicketIdOptions): CompiledTicketMatcher {
  const prefixes = validateTicketPrefixes(options.prefixes ?? DEFAULT_TICKET_PREFIXES);
  const namespaces = options.namespaces ?? DEFAULT_TICKET_NAMESPACES;
  for (const namespace of namespaces) {
    if (!NAMESPACE_SHAPE.test(namespace)) throw new TypeError(`Bad ticket namespace ${JSON.stringify(namespace)}`);
  }
  // Longest prefixes first, so `bd-ops` wins over `bd` when both are configured.
  const prefixGroup = [...prefixes]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  const namespaceGroup = namespaces.length > 0 ? `(?:(?:${namespaces.map(escapeRegExp).join('|')})-)?` : '';
  const body = `(?:${prefixGroup})-${namespaceGroup}${HASH}`;
  const pattern = new RegExp(`${BEFORE}${body}${AFTER}`, 'g');
  const anchored = new RegExp(`^${body}${AFTER}`);

  const extensions = new Map<string, string[]>();
  let known: Set<string> | undefined;
  if (options.knownIds !== undefined) {
    known = new Set(options.knownIds);
    for (const id of known) {
      const head = anchored.exec(id)?.[0];
      if (head === undefined || head === id) continue;
      const list = extensions.get(head) ?? [];
      list.push(id);
      extensions.set(head, list);
    }
    for (const list of extensions.values()) list.sort((a, b) => b.length - a.length);
  }
  return { pattern, anchored, extensions, known, onlyKnown: options.onlyKnown ?? false };
}

function isBoundary(char: string | undefined): boolean {
  return char === undefined || !/[A-Za-z0-9@]/.test(char);
}

function* scan(text: string, matcher: CompiledTicketMatcher): Generator<{ id: string; index: number }> {
  const searchable = text.replace(URL_OR_EMAIL, (found) => ' '.repeat(found.length));
  // A fresh RegExp per scan: its lastIndex is state, and a suspended generator must not share it.
  const pattern = new RegExp(matcher.pattern);
  for (let match = pattern.exec(searchable); match !== null; match = pattern.exec(searchable)) {
    let id = match[0];
    for (const longer of matcher.extensions.get(id) ?? []) {
      if (searchable.startsWith(longer, match.index) && isBoundary(searchable[match.index + longer.length])) {
        id = longer;
        pattern.lastIndex = match.index + longer.length;
        break;
      }
    }
    if (matcher.onlyKnown && !matcher.known?.has(id)) continue;
    yield { id, index: match.index };
  }
}

/**
 * The Beads ticket ids in a branch name, commit message, PR title or body, unique, in order of first
 * appearance. An id is `<prefix>-[<namespace>-]<hash>[.N…]`: the hash is 3–12 lowercase base36
 * characters (or a 1–2 digit legacy number) and ends at the first character that is not a letter or
 * digit — so in `hotfix/bd-a1b2-fix-login` the id is `bd-a1b2` and `-fix-login` is the description.
 * Ids inside words (`abd-123`), URLs and e-mail addresses are not matched.
 */
export function extractTicketIds(text: string, options: TicketIdOptions = {}): string[] {
  return extractTicketReferences(text, options).map((reference) => reference.id);
}

/**
 * Like {@link extractTicketIds}, and says for each id whether it is closed by the text: a mention right after a
 * closing keyword (`Resolves bd-a1b2`, `fixes: bd-a1b2`, `Closed bd-a1b2`), as GitHub reads them.
 */
export function extractTicketReferences(text: string, options: TicketIdOptions = {}): TicketReference[] {
  const matcher = compile(options);
  const found = new Map<string, TicketReference>();
  for (const { id, index } of scan(text, matcher)) {
    const windowStart = Math.max(0, index - 40);
    const closing = CLOSING.exec(text.slice(windowStart, index));
    // A keyword cut at the window's start must not be the tail of a longer word ("unresolved").
    const closes =
      closing !== null && !(closing.index === 0 && windowStart > 0 && /[A-Za-z]/.test(text[windowStart - 1] ?? ''));
    const existing = found.get(id);
    if (existing === undefined) found.set(id, { id, closes });
    else existing.closes ||= closes;
  }
  return [...found.values()];
}

/** The first ticket id in a branch name such as `hotfix/bd-a1b2-fix-login` or `backmerge/bd-a1b2`, if any. */
export function ticketIdFromBranch(branch: string, options: TicketIdOptions = {}): string | undefined {
  return extractTicketIds(branch, options)[0];
}

/** True when `text` is exactly one ticket id (surrounding whitespace allowed). */
export function isTicketId(text: string, options: TicketIdOptions = {}): boolean {
  const matcher = compile(options);
  const trimmed = text.trim();
  const head = matcher.anchored.exec(trimmed)?.[0];
  if (head === trimmed) return !matcher.onlyKnown || matcher.known?.has(trimmed) === true;
  return matcher.known?.has(trimmed) === true && head !== undefined && trimmed.startsWith(`${head}-`);
}

/**
 * Returns the ticket id given in `input` (trimmed) when it is one, otherwise throws a ConfigurationError
 * naming `input` and the expected shape.
 */
export function assertTicketId(text: string, input: string, options: TicketIdOptions = {}): string {
  if (!isTicketId(text, options)) {
    const prefix = (options.prefixes ?? DEFAULT_TICKET_PREFIXES)[0] ?? 'bd';
    throw new ConfigurationError(
      `Input "${input}" must be a ticket id such as ${prefix}-a1b2 or ${prefix}-a1b2.1` +
        `${options.onlyKnown ? ' that exists' : ''}, but got ${JSON.stringify(text)}.`,
      input,
    );
  }
  return text.trim();
}
