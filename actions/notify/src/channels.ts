import { RETRY_BASE_ENV, errorMessage, type GitHubClient } from '@hotfix-actions/core';
import type { ChannelName, EmailSettings } from './inputs.js';

/** What one channel reported. */
export interface ChannelResult {
  ok: boolean;
  /** HTTP status of the last answer (webhooks). */
  status?: number;
  /** How many requests it took (webhooks). */
  attempts?: number;
  /** Where the notification can be seen (the comment). */
  url?: string;
  /** The SMTP server's message id or last answer (e-mail). */
  response?: string;
  /** Why it failed. */
  error?: string;
}

/** A channel: a name for the outputs and a function that sends and never throws. */
export interface Channel {
  readonly name: ChannelName;
  send(): Promise<ChannelResult>;
}

function retryUnit(): number {
  const value = Number(process.env[RETRY_BASE_ENV]);
  return Number.isFinite(value) && value > 0 ? value : 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A network error's message with its cause's code (`fetch failed (ECONNREFUSED)`), never the URL. */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return `${errorMessage(error)}${code ? ` (${code})` : ''}`;
}

/**
 * Posts JSON to a webhook. 5xx, 429 and network errors are retried (`retries` times, waiting 1 s,
 * 2 s … or the 429's retry-after, at most 30 s); any other status is final. A retried request may
 * arrive twice when the server failed after accepting it.
 */
export async function postJson(
  url: URL,
  payload: unknown,
  options: { timeoutMs: number; retries: number },
): Promise<ChannelResult> {
  const body = JSON.stringify(payload);
  let result: ChannelResult = { ok: false, error: 'not sent' };
  for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'hotfix-actions-notify' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      const text = (await response.text().catch(() => '')).trim();
      if (response.ok) return { ok: true, status: response.status, attempts: attempt };
      result = {
        ok: false,
        status: response.status,
        attempts: attempt,
        error: `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      };
      if (response.status < 500 && response.status !== 429) return result;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) {
        retryAfterMs = Math.min(retryAfter, 30) * retryUnit();
      }
    } catch (error) {
      result = { ok: false, attempts: attempt, error: describeFetchError(error) };
    }
    if (attempt <= options.retries) await sleep(retryAfterMs ?? attempt * retryUnit());
  }
  return result;
}

/** Options for {@link sendEmail}. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
  /** Extra headers, already one-line values. */
  headers: Record<string, string>;
}

/**
 * Sends the message through SMTP with nodemailer. `auto` uses implicit TLS on port 465 and STARTTLS
 * otherwise, required when a password is sent; `none` never upgrades (a local relay).
 */
export async function sendEmail(
  settings: EmailSettings,
  message: EmailMessage,
  timeoutMs: number,
): Promise<ChannelResult> {
  const withPassword = settings.password !== undefined;
  // Loaded only when an email goes out: nodemailer is most of this action's code, and a run that only
  // posts to Slack or a webhook should not pay for it at start-up.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls' || (settings.security === 'auto' && withPassword),
    ignoreTLS: settings.security === 'none',
    ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    tls: { rejectUnauthorized: settings.verifyCertificate, servername: settings.host.replace(/^\[|\]$/g, '') },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: settings.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.headers,
      // The message is built from our own text only: never let an address or header pull in a file or URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    const rejected = (info.rejected ?? []).map(String);
    if (rejected.length > 0) return { ok: false, error: `recipients refused: ${rejected.join(', ')}` };
    return { ok: true, response: String(info.messageId ?? info.response ?? '') };
  } catch (error) {
    const code = (error as { code?: unknown; responseCode?: unknown }) ?? {};
    const detail = [code.code, code.responseCode].filter((part) => part !== undefined).join(' ');
    return { ok: false, error: `${errorMessage(error).split('\n')[0]}${detail ? ` (${detail})` : ''}` };
  } finally {
    transport.close();
  }
}

/** Comments on an issue or pull request. */
export async function postComment(
  github: GitHubClient,
  repository: { owner: string; repo: string },
  issueNumber: number,
  body: string,
): Promise<ChannelResult> {
  try {
    const { data } = await github.rest.issues.createComment({ ...repository, issue_number: issueNumber, body });
    return { ok: true, url: data.html_url };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return {
      ok: false,
      ...(typeof status === 'number' ? { status } : {}),
      error: `${typeof status === 'number' ? `HTTP ${status}: ` : ''}${errorMessage(error).split('\n')[0]}`,
    };
  }
}
