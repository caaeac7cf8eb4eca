// What the triggering event means for the tickets: which transition `auto` stands for, and where
// the ticket ids are written. Pure functions of the event payload.
import { ConfigurationError, extractTicketReferences, type TicketIdOptions } from '@hotfix-actions/core';
import type { BeadsSyncTransition } from './inputs.js';

/** The fields of the event payloads this action reads (all optional: payloads differ by event). */
export interface BeadsSyncEvent {
  action?: string;
  ref?: string;
  ref_type?: string;
  created?: boolean;
  head_commit?: { message?: string } | null;
  commits?: { message?: string }[];
  pull_request?: {
    merged?: boolean;
    title?: string;
    body?: string | null;
    number?: number;
    head?: { ref?: string };
    base?: { ref?: string };
  };
  deployment?: {
    ref?: string;
    sha?: string;
    environment?: string;
    description?: string | null;
    payload?: unknown;
    production_environment?: boolean;
  };
  deployment_status?: { state?: string; environment?: string; description?: string | null };
}

/** What `transition: auto` decided. */
export interface AutoTransition {
  /** The transition, or undefined when the event calls for none (a PR closed without merging, a failed deployment). */
  transition: BeadsSyncTransition | undefined;
  /** Record the deployment too (a `deployed` marker) before closing. */
  markDeployed: boolean;
  /** One sentence for the log and the summary. */
  why: string;
}

const PRODUCTION = /^prod(uction)?$/i;

/**
 * The transition an event stands for: a `hotfix/*` branch created (a `create` event, or a `push`
 * that created the branch) → start; a pull request closed and merged → merged; a successful
 * deployment → close for a production environment (deployed and closed), deployed for any other.
 * Events of other kinds are a ConfigurationError naming `transition`.
 */
export function deriveAutoTransition(
  eventName: string,
  event: BeadsSyncEvent,
  hotfixBranchPrefix: string,
): AutoTransition {
  const none = (why: string): AutoTransition => ({ transition: undefined, markDeployed: false, why });
  switch (eventName) {
    case 'create': {
      const branch = event.ref ?? '';
      if (event.ref_type !== 'branch') return none(`a ${event.ref_type ?? 'ref'} was created, not a branch`);
      if (!branch.startsWith(hotfixBranchPrefix))
        return none(`branch ${branch} is not a ${hotfixBranchPrefix}* branch`);
      return { transition: 'start', markDeployed: false, why: `hotfix branch ${branch} was created` };
    }
    case 'push': {
      const branch = (event.ref ?? '').replace(/^refs\/heads\//, '');
      if (event.created !== true) return none(`the push updated ${branch || 'a ref'}; it did not create it`);
      if (!(event.ref ?? '').startsWith('refs/heads/'))
        return none(`the push created ${event.ref ?? 'a ref'}, not a branch`);
      if (!branch.startsWith(hotfixBranchPrefix))
        return none(`branch ${branch} is not a ${hotfixBranchPrefix}* branch`);
      return { transition: 'start', markDeployed: false, why: `hotfix branch ${branch} was pushed for the first time` };
    }
    case 'pull_request': {
      const pr = event.pull_request;
      const name = pr?.number === undefined ? 'the pull request' : `pull request #${pr.number}`;
      if (event.action !== 'closed') return none(`${name} was ${event.action ?? 'updated'}, not closed`);
      if (pr?.merged !== true) return none(`${name} was closed without being merged`);
      return { transition: 'merged', markDeployed: false, why: `${name} was merged` };
    }
    case 'deployment_status': {
      const state = event.deployment_status?.state ?? 'unknown';
      const environment = event.deployment_status?.environment ?? event.deployment?.environment ?? 'an environment';
      if (state !== 'success') return none(`the deployment to ${environment} is ${state}, not success`);
      if (event.deployment?.production_environment === true || PRODUCTION.test(environment)) {
        return { transition: 'close', markDeployed: true, why: `the deployment to ${environment} succeeded` };
      }
      return { transition: 'deployed', markDeployed: false, why: `the deployment to ${environment} succeeded` };
    }
    default:
      throw new ConfigurationError(
        `Input "transition" is auto, which cannot be derived from a ${eventName || 'manual'} event: set it to ` +
          'start, merged, deployed, close or create (auto understands create, push of a new branch, ' +
          'pull_request closed and deployment_status).',
        'transition',
      );
  }
}

/** A text an event carries, and which ticket mentions in it count. */
export interface TicketSource {
  /** Where the text comes from, for the log (`branch`, `pull request title`). */
  what: string;
  text: string;
  /** `all`: every id counts (branch names, titles); `closing`: only ids after fixes/closes/resolves. */
  mentions: 'all' | 'closing';
}

function source(what: string, text: unknown, mentions: TicketSource['mentions']): TicketSource[] {
  if (typeof text === 'string' && text.trim() !== '') return [{ what, text, mentions }];
  if (text !== undefined && text !== null && typeof text === 'object') {
    return [{ what, text: JSON.stringify(text), mentions }];
  }
  return [];
}

/**
 * Where an event names its tickets. Branch names, pull request titles and deployment descriptions
 * count whole; bodies and commit messages only where they close a ticket ("Resolves bd-a1b2"), so
 * a "see also bd-x" never moves another ticket.
 */
export function ticketSources(eventName: string, event: BeadsSyncEvent, env: NodeJS.ProcessEnv): TicketSource[] {
  const sources: TicketSource[] = [];
  const pr = event.pull_request;
  if (eventName === 'create' && event.ref_type === 'branch') sources.push(...source('branch', event.ref, 'all'));
  if (eventName === 'push' && event.ref?.startsWith('refs/heads/')) {
    sources.push(...source('branch', event.ref.slice('refs/heads/'.length), 'all'));
  }
  if (pr) {
    sources.push(...source('pull request branch', pr.head?.ref, 'all'));
    sources.push(...source('pull request title', pr.title, 'all'));
    sources.push(...source('pull request body', pr.body, 'closing'));
  } else if (env.GITHUB_HEAD_REF) {
    sources.push(...source('branch', env.GITHUB_HEAD_REF, 'all'));
  }
  if (event.deployment) {
    const ref = event.deployment.ref;
    // A deployment of a SHA or a tag names no ticket; a deployed hotfix branch does.
    if (ref && !/^[0-9a-f]{40}$/.test(ref)) sources.push(...source('deployment ref', ref, 'all'));
    sources.push(...source('deployment description', event.deployment.description, 'all'));
    sources.push(...source('deployment payload', event.deployment.payload, 'all'));
    sources.push(...source('deployment status', event.deployment_status?.description, 'all'));
  }
  sources.push(...source('head commit', event.head_commit?.message, 'closing'));
  for (const commit of event.commits ?? []) sources.push(...source('commit', commit.message, 'closing'));
  return sources;
}

/** The ticket ids the sources name, in order of first appearance. */
export function ticketsFromSources(sources: readonly TicketSource[], options: TicketIdOptions): string[] {
  const ids: string[] = [];
  for (const { text, mentions } of sources) {
    for (const reference of extractTicketReferences(text, options)) {
      if (mentions === 'closing' && !reference.closes) continue;
      if (!ids.includes(reference.id)) ids.push(reference.id);
    }
  }
  return ids;
}
