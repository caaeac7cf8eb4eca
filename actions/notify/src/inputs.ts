import * as core from '@actions/core';
import {
  ConfigurationError,
  getBooleanInput,
  getDurationInput,
  getEnumInput,
  getIntegerInput,
  getListInput,
  getStringInput,
  isConfigurationError,
  parseHotfixContext,
  readRawInput,
} from '@hotfix-actions/core';
import {
  NOTIFY_EVENTS,
  NOTIFY_STATUSES,
  cleanText,
  oneLine,
  type NotificationFacts,
  type NotifyEvent,
  type NotifyStatus,
} from './message.js';

/** A mailbox: an address and an optional display name. */
export interface Mailbox {
  name?: string;
  address: string;
}

/** How the SMTP connection is secured. */
export type SmtpSecurity = 'auto' | 'tls' | 'starttls' | 'none';

/** The e-mail channel's settings. */
export interface EmailSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Verify the server's certificate (default true). */
  verifyCertificate: boolean;
  user?: string;
  password?: string;
  from: Mailbox;
  to: Mailbox[];
  /** The subject input, neutralised to one line; undefined for the generated one. */
  subject?: string;
  /** True when the subject input had line breaks or control characters that were replaced. */
  subjectNeutralised: boolean;
}

/** Everything notify was asked to do, validated. */
export interface NotifyInputs {
  facts: Omit<NotificationFacts, 'repository' | 'runUrl' | 'sha' | 'ref' | 'actor'>;
  slackWebhook?: URL;
  webhook?: URL;
  email?: EmailSettings;
  issueNumber?: number;
  token?: string;
  timeoutMs: number;
  retries: number;
  failOnError: boolean;
  /**
   * Channels whose own inputs are wrong: each is a failed notification (a warning unless
   * fail-on-error), not a failed step, so a bad address never blocks a release.
   */
  channelProblems: { channel: ChannelName; error: ConfigurationError }[];
}

/** The channels, as named in the `sent` output. */
export type ChannelName = 'slack' | 'webhook' | 'email' | 'github';

// Deliberately narrower than RFC 5321: no quoted local parts, no IP literals, nothing a header could
// be bent with.
const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Reads `address` or `Display Name <address>`; throws a ConfigurationError naming `input` otherwise. */
export function parseMailbox(text: string, input: string): Mailbox {
  const refuse = (): never => {
    throw new ConfigurationError(
      `Input "${input}" must list e-mail addresses such as ops@example.com or "Release Bot <bot@example.com>" ` +
        `(one line each, no quotes, commas or angle brackets in the name), but got ${JSON.stringify(text)}.`,
      input,
    );
  };
  if (CONTROL.test(text)) refuse();
  const trimmed = text.trim();
  const named = /^([^<>"]*?)\s*<([^<>\s]+)>$/.exec(trimmed);
  const address = named ? named[2]! : trimmed;
  const name = named ? named[1]!.trim() : undefined;
  if (!ADDRESS.test(address) || address.length > 254) refuse();
  if (name !== undefined && (name.length > 100 || /[,;:\\]/.test(name))) refuse();
  return { address, ...(name ? { name } : {}) };
}

/**
 * Reads a URL input that is a credential (a webhook URL carries its secret in the path): it is
 * masked in the log before anything else happens to it, and never repeated in error messages.
 */
export function readSecretUrl(name: string): URL | undefined {
  const raw = readRawInput(name);
  if (raw === undefined) return undefined;
  core.setSecret(raw);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url) {
    if (url.href !== raw) core.setSecret(url.href);
    const secretPart = `${url.pathname}${url.search}`;
    if (secretPart.length >= 8) core.setSecret(secretPart);
    if (url.password) core.setSecret(decodeURIComponent(url.password));
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigurationError(
      `Input "${name}" must be an http(s) URL such as https://hooks.slack.com/services/…; the value is not shown ` +
        'because it is a secret.',
      name,
    );
  }
  return url;
}

function readEmail(): EmailSettings | undefined {
  const smtpUrl = readRawInput('smtp-url');
  const hostInput = getStringInput('smtp-host');
  const passwordInput = readRawInput('smtp-password', false);
  if (passwordInput !== undefined) core.setSecret(passwordInput);
  if (smtpUrl === undefined && hostInput === undefined) {
    if (getListInput('email-to') !== undefined) {
      throw new ConfigurationError(
        'Input "email-to" is set but there is no mail server: set smtp-url (smtps://user:password@host:465) or smtp-host.',
        'email-to',
      );
    }
    return undefined;
  }
  if (smtpUrl !== undefined && hostInput !== undefined) {
    throw new ConfigurationError('Set either "smtp-url" or "smtp-host" (with smtp-port …), not both.', 'smtp-url');
  }

  let host = hostInput ?? '';
  let port: number | undefined;
  let user = getStringInput('smtp-user');
  let password = passwordInput;
  let security = getEnumInput('smtp-secure', ['auto', 'tls', 'starttls', 'none'] as const, { default: 'auto' });
  if (smtpUrl !== undefined) {
    core.setSecret(smtpUrl);
    let url: URL | undefined;
    try {
      url = new URL(smtpUrl);
    } catch {
      url = undefined;
    }
    if (url?.password) {
      core.setSecret(url.password);
      core.setSecret(decodeURIComponent(url.password));
    }
    if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
      throw new ConfigurationError(
        'Input "smtp-url" must be smtp://[user:password@]host[:port] or smtps://…; the value is not shown ' +
          'because it may hold a password.',
        'smtp-url',
      );
    }
    host = url.hostname;
    if (url.port) port = Number(url.port);
    if (url.username) user = decodeURIComponent(url.username);
    if (url.password) password = decodeURIComponent(url.password);
    if (url.protocol === 'smtps:') security = 'tls';
  }
  if (
    !/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9a-fA-F:.]+\])$/.test(
      host,
    )
  ) {
    throw new ConfigurationError(
      `Input "smtp-host" must be a host name such as smtp.example.com, but got ${JSON.stringify(host)}.`,
      'smtp-host',
    );
  }
  port ??= getIntegerInput('smtp-port', { default: security === 'tls' ? 465 : 587, min: 1, max: 65535 });
  if (security === 'auto' && port === 465) security = 'tls';
  if (security === 'none' && password !== undefined && !LOOPBACK.has(host)) {
    throw new ConfigurationError(
      'Input "smtp-secure" is "none" but a password is set: it would cross the network in clear text. Use ' +
        '"starttls" or "tls" (or "auto"), or a relay on localhost.',
      'smtp-secure',
    );
  }
  if (user !== undefined && CONTROL.test(user)) {
    throw new ConfigurationError('Input "smtp-user" must be one line without control characters.', 'smtp-user');
  }

  const to = (getListInput('email-to', { unique: true }) ?? []).map((item) => parseMailbox(item, 'email-to'));
  if (to.length === 0) {
    throw new ConfigurationError('Input "email-to" is required with a mail server: list the recipients.', 'email-to');
  }
  const fromText = getStringInput('email-from') ?? (user && ADDRESS.test(user) ? user : undefined);
  if (fromText === undefined) {
    throw new ConfigurationError(
      'Input "email-from" is required (unless smtp-user is an e-mail address): set the sender, such as ' +
        '"Release Bot <release@example.com>".',
      'email-from',
    );
  }
  const subjectRaw = readRawInput('email-subject', false);
  const subject = subjectRaw === undefined ? undefined : oneLine(subjectRaw, 200);
  return {
    host,
    port,
    security,
    verifyCertificate: getBooleanInput('smtp-tls-verify', { default: true }),
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    from: parseMailbox(fromText, 'email-from'),
    to,
    ...(subject ? { subject } : {}),
    subjectNeutralised: subjectRaw !== undefined && CONTROL.test(subjectRaw.trim()),
  };
}

function oneLineInput(name: string): string | undefined {
  const raw = readRawInput(name);
  if (raw === undefined) return undefined;
  const value = oneLine(raw);
  return value === '' ? undefined : value;
}

/**
 * Reads and validates the inputs. A mistake in what every notification needs (event, status, context)
 * throws a ConfigurationError naming the input; a mistake in one channel's inputs is collected in
 * `channelProblems` and only that channel fails.
 */
export function readNotifyInputs(): NotifyInputs {
  // Credentials first: masked before any other input can fail and log something.
  const channelProblems: NotifyInputs['channelProblems'] = [];
  const channel = <T>(name: ChannelName, read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!isConfigurationError(error)) throw error;
      channelProblems.push({ channel: name, error });
      return undefined;
    }
  };
  const slackWebhook = channel('slack', () => readSecretUrl('slack-webhook-url'));
  const webhook = channel('webhook', () => readSecretUrl('webhook-url'));
  const email = channel('email', readEmail);

  const event = getEnumInput('event', NOTIFY_EVENTS, { required: true }) as NotifyEvent;
  const status = getEnumInput('status', NOTIFY_STATUSES) as NotifyStatus | undefined;
  const context = parseHotfixContext(readRawInput('context') ?? '', 'context');
  const ticketText = oneLineInput('ticket');
  const tickets =
    ticketText !== undefined ? ticketText.split(/[\s,]+/).filter(Boolean) : context.tickets.map((t) => oneLine(t));
  const ticketUrl = getStringInput('ticket-url');
  if (ticketUrl !== undefined && (!/^https?:\/\/\S+$/.test(ticketUrl) || !ticketUrl.includes('{ticket}'))) {
    throw new ConfigurationError(
      `Input "ticket-url" must be an http(s) URL with {ticket} where the id goes, such as ` +
        `https://tracker.example.com/issues/{ticket}, but got ${JSON.stringify(ticketUrl)}.`,
      'ticket-url',
    );
  }
  const messageRaw = readRawInput('message', false);
  const message = messageRaw === undefined ? undefined : cleanText(messageRaw);
  const version = oneLineInput('version') ?? context.version ?? context.tag;
  const environment = oneLineInput('environment') ?? context.deployment?.environment;
  const deploymentUrl = context.deployment?.url;
  const decision = oneLineInput('decision');
  const title = oneLineInput('title');

  const token = getStringInput('token');
  const issueNumber = channel('github', () => {
    const number = getIntegerInput('issue-number', { min: 1 });
    if (number !== undefined && token === undefined) {
      throw new ConfigurationError(
        'Input "token" is required to comment on issue-number: keep the default ${{ github.token }} and grant ' +
          '`issues: write` (or `pull-requests: write` for a pull request).',
        'token',
      );
    }
    return number;
  });

  return {
    facts: {
      event,
      ...(status ? { status } : {}),
      ...(title ? { title } : {}),
      tickets,
      ...(ticketUrl ? { ticketUrl } : {}),
      ...(version ? { version } : {}),
      ...(environment ? { environment } : {}),
      ...(decision ? { decision } : {}),
      ...(message ? { message } : {}),
      ...(deploymentUrl ? { deploymentUrl } : {}),
    },
    ...(slackWebhook ? { slackWebhook } : {}),
    ...(webhook ? { webhook } : {}),
    ...(email ? { email } : {}),
    ...(issueNumber !== undefined ? { issueNumber } : {}),
    ...(token !== undefined ? { token } : {}),
    timeoutMs: getDurationInput('timeout', { default: 10_000, min: 1000, max: 120_000 }),
    retries: getIntegerInput('retries', { default: 2, min: 0, max: 5 }),
    failOnError: getBooleanInput('fail-on-error', { default: false }),
    channelProblems,
  };
}
