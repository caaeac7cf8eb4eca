import {
  ConfigurationError,
  assertRefName,
  assertTicketId,
  getBooleanInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getStringInput,
  isConfigurationError,
  readRawInput,
  validateTicketPrefixes,
} from '@hotfix-actions/core';
import {
  compileIncidentPattern,
  parsePermissionLevel,
  parseTeamRef,
  validateLogins,
  validateReason,
  validateSkipGates,
  type PermissionLevel,
  type TeamRef,
} from './policy.js';

/** Where the audit line goes on a branch, and how it gets there. */
export interface AuditBranchTarget {
  branch: string;
  path: string;
  /** `api`: the contents API; `git`: a commit pushed from the checkout in GITHUB_WORKSPACE. */
  method: 'api' | 'git';
}

/** Everything break-glass was asked to do, read so that a mistake never stops the audit. */
export interface BreakGlassInputs {
  /** The incident-id input as given (trimmed); checked by the decision, not here. */
  incidentText: string | undefined;
  incidentPattern: RegExp | undefined;
  ticketPrefixes: string[];
  /** The Beads ticket the review is discovered from, when the incident id is not one. */
  ticket: string | undefined;
  reason: string | undefined;
  allowedActors: string[];
  allowedTeam: TeamRef | undefined;
  minPermission: PermissionLevel;
  skipGates: string[];
  auditIssue: number | undefined;
  auditBranch: AuditBranchTarget | undefined;
  token: string | undefined;
  failOnDenied: boolean;
}

/** The inputs, and every mistake found in them (each a ConfigurationError naming its input). */
export interface ReadBreakGlassInputs {
  inputs: BreakGlassInputs;
  problems: ConfigurationError[];
}

/** Checks an audit file path: relative, inside the repository, no `..`, no `.git`. */
export function validateAuditPath(path: string, input = 'audit-path'): string {
  const parts = path.split('/');
  const bad =
    !/^[A-Za-z0-9._/-]+$/.test(path) ||
    parts.some((part) => part === '' || part === '.' || part === '..' || part.toLowerCase() === '.git');
  if (bad || path.length > 200) {
    throw new ConfigurationError(
      `Input "${input}" must be a relative path inside the repository such as audit/break-glass.jsonl ` +
        `(letters, digits, ".", "_", "-" and "/"; no "..", no .git), but got ${JSON.stringify(path)}.`,
      input,
    );
  }
  return path;
}

/**
 * Reads the inputs. Unlike most actions, a mistake does not stop here: it is collected, the attempt
 * is denied, and the denial is still audited wherever the audit inputs allow.
 */
export function readBreakGlassInputs(owner: string): ReadBreakGlassInputs {
  const problems: ConfigurationError[] = [];
  const attempt = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      if (!isConfigurationError(error)) throw error;
      problems.push(error);
      return fallback;
    }
  };

  const ticketPrefixes = attempt(
    () => validateTicketPrefixes(getListInput('ticket-prefix', { default: ['bd'] }), 'ticket-prefix'),
    ['bd'],
  );
  const patternText = getStringInput('incident-pattern');
  const incidentPattern = attempt(
    () => (patternText === undefined ? undefined : compileIncidentPattern(patternText)),
    undefined,
  );
  const ticketText = getStringInput('ticket');
  const ticket = attempt(
    () => (ticketText === undefined ? undefined : assertTicketId(ticketText, 'ticket', { prefixes: ticketPrefixes })),
    undefined,
  );
  const reasonText = readRawInput('reason');
  const reason = attempt(() => (reasonText === undefined ? undefined : validateReason(reasonText)), undefined);
  const allowedActors = attempt(() => validateLogins(getListInput('allowed-actors', { default: [] })), []);
  const teamText = getStringInput('allowed-team');
  const allowedTeam = attempt(() => (teamText === undefined ? undefined : parseTeamRef(teamText, owner)), undefined);
  const minPermission = attempt(
    () => parsePermissionLevel(getStringInput('min-permission', { default: 'maintain' })),
    'admin' as PermissionLevel,
  );
  const skipGates = attempt(
    () => validateSkipGates(getListInput('skip-gates', { default: ['canary-analysis'] })),
    [] as string[],
  );
  const auditIssue = attempt(() => getIntegerInput('audit-issue', { min: 1 }), undefined);
  const branchText = getStringInput('audit-branch');
  const auditBranch = attempt((): AuditBranchTarget | undefined => {
    const method = getEnumInput('audit-method', ['api', 'git'] as const, { default: 'api' });
    const path = validateAuditPath(getStringInput('audit-path', { default: 'audit/break-glass.jsonl' }));
    if (branchText === undefined) return undefined;
    return { branch: assertRefName(branchText, 'audit-branch'), path, method };
  }, undefined);
  if (auditIssue === undefined && auditBranch === undefined && !problems.some((p) => p.input?.startsWith('audit-'))) {
    problems.push(
      new ConfigurationError(
        'Set "audit-issue" (an issue number for audit comments) and/or "audit-branch" (a branch for a JSONL ' +
          'audit log): break-glass is never allowed without an audit record that outlives the run.',
        'audit-issue',
      ),
    );
  }
  const failOnDenied = attempt(() => getBooleanInput('fail-on-denied', { default: true }), true);

  return {
    inputs: {
      incidentText: readRawInput('incident-id'),
      incidentPattern,
      ticketPrefixes,
      ticket,
      reason,
      allowedActors,
      allowedTeam,
      minPermission,
      skipGates,
      auditIssue,
      auditBranch,
      token: getStringInput('token'),
      failOnDenied,
    },
    problems,
  };
}
