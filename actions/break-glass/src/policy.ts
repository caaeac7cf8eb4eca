import { ConfigurationError, isTicketId } from '@hotfix-actions/core';

// The decisions of break-glass, free of I/O: is the incident id acceptable, does a permission reach
// the floor, may this actor break the glass. Lookups that need the GitHub API come in through
// AccessLookup, so every rule can be tested without a server.

/** Repository roles from least to most; `none` means no access at all. */
export const PERMISSION_LEVELS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;

/** A repository role as GitHub names it. */
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

/**
 * Gates a break-glass run may skip: the statistical analysis of a canary and the waiting before
 * promotion. Health checks and tests are deliberately absent: they are never skipped.
 */
export const SKIPPABLE_GATES = ['canary-analysis', 'bake-time'] as const;

/** The longest incident id accepted, whatever the pattern. */
export const INCIDENT_ID_MAX_LENGTH = 64;

// Whatever pattern a workflow configures, an incident id is made of these characters only: it ends up
// in commit messages, JSON, Markdown, ticket titles and logs, where nothing else could do harm.
const SAFE_INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// INC-1234, SEV-42, OPS-7: the ids incident tools (incident.io, Jira, ServiceNow-style) hand out.
const INCIDENT_KEY = /^[A-Z][A-Z0-9]{1,15}-[0-9]{1,10}$/;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:\[bot\])?$/;
const TEAM_SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,98}[A-Za-z0-9])?$/;

/** The rank of a role: `none` 0 … `admin` 5. */
export function permissionRank(level: PermissionLevel): number {
  return PERMISSION_LEVELS.indexOf(level);
}

/** True when `level` is at least `minimum` (`write` satisfies `triage`, not `maintain`). */
export function meetsPermission(level: PermissionLevel, minimum: PermissionLevel): boolean {
  return permissionRank(level) >= permissionRank(minimum);
}

/** What GitHub's collaborator-permission endpoint answers (the fields used here). */
export interface CollaboratorPermissionAnswer {
  permission?: string;
  role_name?: string;
  user?: { permissions?: Record<string, boolean | undefined> | null } | null;
}

/**
 * The role a collaborator-permission answer grants. The per-permission flags are read first: a
 * custom role's `role_name` is its own name (`security-lead`), while the flags always say what it
 * inherits. Without flags, a known `role_name`, then the legacy `permission` field (which reports
 * maintain as write and triage as read) are used; anything unknown is `none`.
 */
export function permissionFromAnswer(answer: CollaboratorPermissionAnswer): PermissionLevel {
  const flags = answer.user?.permissions;
  if (flags) {
    if (flags.admin) return 'admin';
    if (flags.maintain) return 'maintain';
    if (flags.push) return 'write';
    if (flags.triage) return 'triage';
    if (flags.pull) return 'read';
  }
  const named = PERMISSION_LEVELS.find((level) => level === answer.role_name);
  if (named) return named;
  return PERMISSION_LEVELS.find((level) => level === answer.permission) ?? 'none';
}

/** Reads a `min-permission` value; throws a ConfigurationError naming `input` otherwise. */
export function parsePermissionLevel(text: string, input = 'min-permission'): PermissionLevel {
  const level = PERMISSION_LEVELS.find((value) => value === text.trim().toLowerCase());
  if (level) return level;
  throw new ConfigurationError(
    `Input "${input}" must be one of ${PERMISSION_LEVELS.map((l) => `"${l}"`).join(', ')} ` +
      `("none" turns the permission check off), but got ${JSON.stringify(text)}.`,
    input,
  );
}

/** Checks GitHub logins for `allowed-actors` and returns them; throws a ConfigurationError otherwise. */
export function validateLogins(logins: readonly string[], input = 'allowed-actors'): string[] {
  for (const login of logins) {
    if (!GITHUB_LOGIN.test(login)) {
      throw new ConfigurationError(
        `Input "${input}" must list GitHub logins (letters, digits and single inner hyphens, at most 39 ` +
          `characters, such as octocat or release-bot[bot]), but ${JSON.stringify(login)} is not one.`,
        input,
      );
    }
  }
  return [...logins];
}

/** An organisation team. */
export interface TeamRef {
  org: string;
  slug: string;
}

/** Reads `slug` or `org/slug`; the organisation defaults to `owner` (the repository's owner). */
export function parseTeamRef(text: string, owner: string, input = 'allowed-team'): TeamRef {
  const parts = text.trim().replace(/^@/, '').split('/');
  const [org, slug] = parts.length === 2 ? parts : [owner, parts[0]];
  if (parts.length > 2 || !org || !slug || !GITHUB_LOGIN.test(org) || !TEAM_SLUG.test(slug)) {
    throw new ConfigurationError(
      `Input "${input}" must be a team slug such as release-leads, or org/slug such as acme/release-leads, ` +
        `but got ${JSON.stringify(text)}.`,
      input,
    );
  }
  return { org, slug: slug.toLowerCase() };
}

/** Reads `skip-gates`: only analysis gates are accepted; a health check or test is refused by name. */
export function validateSkipGates(gates: readonly string[], input = 'skip-gates'): string[] {
  const result: string[] = [];
  for (const raw of gates) {
    const gate = raw.trim().toLowerCase();
    if ((SKIPPABLE_GATES as readonly string[]).includes(gate)) {
      if (!result.includes(gate)) result.push(gate);
      continue;
    }
    const never = /health|smoke|test|rollback/.test(gate);
    throw new ConfigurationError(
      `Input "${input}" may only name analysis gates (${SKIPPABLE_GATES.join(', ')}), but got ` +
        `${JSON.stringify(raw)}${never ? ': health checks, smoke tests, tests and rollback are never skipped, not even by break-glass' : ''}.`,
      input,
    );
  }
  return result;
}

/** Checks a `reason`: one line of text without control characters, at most 500 characters. */
export function validateReason(text: string, input = 'reason'): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(text)) {
    throw new ConfigurationError(
      `Input "${input}" must be one line of text without control characters, but it contains a line break ` +
        'or a control character.',
      input,
    );
  }
  if (text.length > 500) {
    throw new ConfigurationError(`Input "${input}" must be at most 500 characters long (got ${text.length}).`, input);
  }
  return text;
}

/** Compiles `incident-pattern` (a JavaScript regular expression, anchored to the whole id). */
export function compileIncidentPattern(source: string, input = 'incident-pattern'): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (error) {
    throw new ConfigurationError(
      `Input "${input}" must be a regular expression such as INC-[0-9]+, but ${JSON.stringify(source)} is not ` +
        `one: ${error instanceof Error ? error.message : String(error)}.`,
      input,
    );
  }
}

/** How incident ids are recognised. */
export interface IncidentIdRules {
  /** A configured pattern (see {@link compileIncidentPattern}); default: INC-1234-like keys or a Beads id. */
  pattern?: RegExp;
  /** Beads prefixes accepted by the default rule (default `bd`). */
  ticketPrefixes?: readonly string[];
}

/** The default rule, in words, for messages. */
export function describeIncidentRule(rules: IncidentIdRules): string {
  // Shown as the user wrote it, without the anchors compileIncidentPattern added.
  if (rules.pattern) return `an incident id matching ${rules.pattern.source.replace(/^\^\(\?:([\s\S]*)\)\$$/, '$1')}`;
  const prefix = rules.ticketPrefixes?.[0] ?? 'bd';
  return `an incident id such as INC-1234 or a Beads id such as ${prefix}-a1b2`;
}

/** A text shown back to the user: quoted, escaped by JSON and cut at 100 characters. */
export function quoteUntrusted(text: string, max = 100): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/**
 * Returns the incident id (trimmed) or throws a ConfigurationError about `incident-id` that says what
 * is wrong. The safe character set applies before any pattern, so no pattern can let `;`, `$(`, a
 * space or a line break through.
 */
export function checkIncidentId(text: string | undefined, rules: IncidentIdRules = {}, input = 'incident-id'): string {
  const accepts = describeIncidentRule(rules);
  const refuse = (problem: string): never => {
    throw new ConfigurationError(`Input "${input}" must be ${accepts}, but ${problem}.`, input);
  };
  const id = (text ?? '').trim();
  if (id === '') refuse('it is empty: break-glass needs the incident it is used for');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(id))
    refuse(`${quoteUntrusted(id)} contains a line break or control character`);
  if (id.length > INCIDENT_ID_MAX_LENGTH) refuse(`it is longer than ${INCIDENT_ID_MAX_LENGTH} characters`);
  if (!SAFE_INCIDENT_ID.test(id)) {
    const bad = /^[^A-Za-z0-9]/.test(id) ? id[0]! : (/[^A-Za-z0-9._-]/.exec(id)?.[0] ?? id[0]!);
    refuse(
      `${quoteUntrusted(id)} contains ${JSON.stringify(bad)}${bad === id[0] ? ' at the start' : ''} ` +
        '(only letters, digits, ".", "_" and "-" are accepted)',
    );
  }
  if (rules.pattern) {
    if (!rules.pattern.test(id)) refuse(`${quoteUntrusted(id)} does not match it`);
    return id;
  }
  if (INCIDENT_KEY.test(id) || isTicketId(id, { prefixes: rules.ticketPrefixes ?? ['bd'] })) return id;
  return refuse(`${quoteUntrusted(id)} is neither`);
}

/** What the GitHub API can tell about an actor. */
export interface AccessLookup {
  /** The actor's role on the repository (`none` when not a collaborator). */
  permission(login: string): Promise<PermissionLevel>;
  /** True when the actor is an active member (or maintainer) of the team. */
  isTeamMember(team: TeamRef, login: string): Promise<boolean>;
}

/** Who may break the glass. At least one rule must be set; with none, nobody may. */
export interface AccessPolicy {
  /** Logins allowed by name (compared without regard to case). */
  allowedActors: readonly string[];
  /** Members of this team are allowed. */
  allowedTeam?: TeamRef;
  /** Everyone allowed must also hold at least this role (`none`: no check). */
  minPermission: PermissionLevel;
}

/** One rule's outcome, as recorded in the audit. */
export interface AccessCheck {
  /** The input the rule comes from (`allowed-actors`, `allowed-team`, `min-permission`, `incident-id` …). */
  rule: string;
  /** `pass`, `fail`, `error` (could not be checked: counts as fail) or `skipped` (not needed). */
  outcome: 'pass' | 'fail' | 'error' | 'skipped';
  /** What was found, in a few words. */
  detail: string;
}

/** The access decision for one actor. */
export interface AccessDecision {
  allowed: boolean;
  checks: AccessCheck[];
  /** Why access was denied, one sentence; undefined when allowed. */
  denial?: string;
  /** True when the denial came from an API that could not be reached or answered an error. */
  unverified?: boolean;
}

/** Describes a failed lookup (network error, 5xx, 403) in a few words, without a stack. */
export function describeLookupError(error: unknown): string {
  const status = (error as { status?: unknown })?.status;
  const message = error instanceof Error ? error.message : String(error);
  const short = message.split('\n')[0]!.slice(0, 200);
  return typeof status === 'number' ? `HTTP ${status}: ${short}` : short;
}

/**
 * Decides whether `actor` may break the glass. The identity rules (`allowedActors`, `allowedTeam`)
 * are alternatives: either one admits the actor. `minPermission` is a floor on top, for everyone. Any
 * lookup that fails denies (fail closed), and a policy without any rule denies.
 */
export async function decideAccess(policy: AccessPolicy, actor: string, lookup: AccessLookup): Promise<AccessDecision> {
  const checks: AccessCheck[] = [];
  const deny = (denial: string, unverified = false): AccessDecision => ({
    allowed: false,
    checks,
    denial,
    ...(unverified ? { unverified } : {}),
  });
  const identityRules = policy.allowedActors.length > 0 || policy.allowedTeam !== undefined;
  if (!identityRules && policy.minPermission === 'none') {
    return deny('no rule allows anyone: set allowed-actors, allowed-team or min-permission');
  }
  if (!GITHUB_LOGIN.test(actor)) return deny(`the actor ${quoteUntrusted(actor)} is not a GitHub login`);

  if (identityRules) {
    let admitted = false;
    if (policy.allowedActors.length > 0) {
      admitted = policy.allowedActors.some((login) => login.toLowerCase() === actor.toLowerCase());
      checks.push({
        rule: 'allowed-actors',
        outcome: admitted ? 'pass' : 'fail',
        detail: admitted ? `${actor} is listed` : `${actor} is not listed`,
      });
    }
    if (policy.allowedTeam) {
      const team = `${policy.allowedTeam.org}/${policy.allowedTeam.slug}`;
      if (admitted) {
        checks.push({ rule: 'allowed-team', outcome: 'skipped', detail: `not needed: ${actor} is listed by name` });
      } else {
        try {
          admitted = await lookup.isTeamMember(policy.allowedTeam, actor);
          checks.push({
            rule: 'allowed-team',
            outcome: admitted ? 'pass' : 'fail',
            detail: admitted ? `${actor} is a member of ${team}` : `${actor} is not an active member of ${team}`,
          });
        } catch (error) {
          checks.push({ rule: 'allowed-team', outcome: 'error', detail: describeLookupError(error) });
          return deny(`membership of ${team} could not be verified (${describeLookupError(error)})`, true);
        }
      }
    }
    if (!admitted) {
      const reasons: string[] = [];
      if (policy.allowedActors.length > 0) reasons.push('not listed in allowed-actors');
      if (policy.allowedTeam) reasons.push(`not a member of ${policy.allowedTeam.org}/${policy.allowedTeam.slug}`);
      return deny(`${actor} is ${reasons.join(' and ')}`);
    }
  }

  if (policy.minPermission !== 'none') {
    let level: PermissionLevel;
    try {
      level = await lookup.permission(actor);
    } catch (error) {
      checks.push({ rule: 'min-permission', outcome: 'error', detail: describeLookupError(error) });
      return deny(`the repository permission of ${actor} could not be verified (${describeLookupError(error)})`, true);
    }
    const ok = meetsPermission(level, policy.minPermission);
    checks.push({
      rule: 'min-permission',
      outcome: ok ? 'pass' : 'fail',
      detail: `${actor} has ${level}; ${policy.minPermission} or higher is needed`,
    });
    if (!ok) return deny(`${actor} has the ${level} permission, but at least ${policy.minPermission} is needed`);
  }
  return { allowed: true, checks };
}
