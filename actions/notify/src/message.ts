import { escapeHtmlText, markdownHeading, markdownInlineCode, markdownTable } from '@hotfix-actions/core';

// What a notification says, and how each channel shows it. Pure functions: the same facts always
// give the same payloads, so every channel's format is tested without a network.

/** The moments of the communication protocol (hotfix-rules II.B), plus rollback. */
export const NOTIFY_EVENTS = ['hotfix-start', 'pre-deploy', 'post-deploy', 'post-incident', 'rollback'] as const;

/** One of {@link NOTIFY_EVENTS}. */
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

/** Outcomes a `status` input may carry. */
export const NOTIFY_STATUSES = ['success', 'failure', 'cancelled', 'in-progress'] as const;

/** One of {@link NOTIFY_STATUSES}. */
export type NotifyStatus = (typeof NOTIFY_STATUSES)[number];

/** Everything a notification can say; one-line fields are already neutralised (see {@link oneLine}). */
export interface NotificationFacts {
  event: NotifyEvent;
  status?: NotifyStatus;
  /** Overrides the generated headline. */
  title?: string;
  /** Ticket ids, in order. */
  tickets: string[];
  /** `https://tracker.example/{ticket}`: makes each ticket a link. */
  ticketUrl?: string;
  version?: string;
  environment?: string;
  /** A decision to report: a hotfix approach, a canary verdict, an approval. */
  decision?: string;
  /** Free text: the deployment plan, verification results, post-mortem findings. */
  message?: string;
  /** Where the deployment can be seen. */
  deploymentUrl?: string;
  repository: string;
  /** The workflow run's page. */
  runUrl: string;
  sha?: string;
  ref?: string;
  actor?: string;
}

/** A labelled value; `url` makes it a link where the channel can show one. */
export interface NotificationField {
  label: string;
  value: string;
  url?: string;
}

/** A notification, independent of the channel. */
export interface Notification {
  event: NotifyEvent;
  status?: NotifyStatus;
  /** An emoji for the event and status. */
  icon: string;
  /** The headline, one line. */
  title: string;
  fields: NotificationField[];
  /** What the free text is: "Deployment plan", "Verification", "Findings", "Notes". */
  messageLabel: string;
  message?: string;
  runUrl: string;
  repository: string;
}

/** The longest one-line value kept (Slack's header block allows 150 characters). */
export const ONE_LINE_MAX = 150;
/** The longest free text kept (Slack's section text allows 3,000 characters). */
export const MESSAGE_MAX = 2900;

/**
 * Makes text safe as one line: every run of line breaks, tabs and other control characters becomes
 * one space, so no value can start a new header line in an e-mail or a new line in a log; trimmed and
 * cut at `max` characters.
 */
export function oneLine(text: string, max = ONE_LINE_MAX): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Free text: line breaks normalised to `\n`, other control characters removed, cut at `max`. */
export function cleanText(text: string, max = MESSAGE_MAX): string {
  const normalised = text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g, '')
    .trim();
  return normalised.length > max ? `${normalised.slice(0, max - 1)}…` : normalised;
}

function headline(facts: NotificationFacts): { icon: string; title: string } {
  const what = facts.version ?? 'the hotfix';
  const where = facts.environment ?? 'production';
  const tickets = facts.tickets.length > 0 ? facts.tickets.join(', ') : undefined;
  const failed = facts.status === 'failure';
  const cancelled = facts.status === 'cancelled';
  switch (facts.event) {
    case 'hotfix-start':
      return { icon: '🚑', title: `Hotfix started${tickets ? `: ${tickets}` : ` in ${facts.repository}`}` };
    case 'pre-deploy':
      return { icon: '🚀', title: `Deploying ${what} to ${where}` };
    case 'post-deploy':
      if (failed) return { icon: '❌', title: `Deployment of ${what} to ${where} failed` };
      if (cancelled) return { icon: '⚪', title: `Deployment of ${what} to ${where} was cancelled` };
      if (facts.status === 'in-progress') return { icon: '⏳', title: `Deployment of ${what} to ${where} in progress` };
      return { icon: '✅', title: `Deployed ${what} to ${where}` };
    case 'post-incident':
      return { icon: '📝', title: `Post-incident review${tickets ? `: ${tickets}` : ` for ${facts.repository}`}` };
    case 'rollback':
      if (failed) return { icon: '🔥', title: `Rollback of ${where} failed` };
      return { icon: '⏪', title: `Rolled back ${where}${facts.version ? ` to ${facts.version}` : ''}` };
  }
}

const MESSAGE_LABELS: Record<NotifyEvent, string> = {
  'hotfix-start': 'Notes',
  'pre-deploy': 'Deployment plan',
  'post-deploy': 'Verification',
  'post-incident': 'Findings',
  rollback: 'Notes',
};

/** The link of a ticket under a `{ticket}` template, or undefined. */
export function ticketLink(template: string | undefined, ticket: string): string | undefined {
  return template ? template.replace(/\{ticket\}/g, encodeURIComponent(ticket)) : undefined;
}

/**
 * Composes the notification for the facts. Every value is made one line here too (see
 * {@link oneLine}), whatever the caller did, so no channel can receive a line break in a header.
 */
export function composeNotification(input: NotificationFacts): Notification {
  const line = (text: string | undefined) => (text === undefined ? undefined : oneLine(text) || undefined);
  const facts: NotificationFacts = {
    ...input,
    tickets: input.tickets.map((ticket) => oneLine(ticket)).filter(Boolean),
    title: line(input.title),
    version: line(input.version),
    environment: line(input.environment),
    decision: line(input.decision),
    actor: line(input.actor),
    message: input.message === undefined ? undefined : cleanText(input.message) || undefined,
  };
  const { icon, title } = headline(facts);
  const fields: NotificationField[] = [];
  for (const ticket of facts.tickets) {
    const url = ticketLink(facts.ticketUrl, ticket);
    fields.push({ label: 'Ticket', value: ticket, ...(url ? { url } : {}) });
  }
  if (facts.version) fields.push({ label: 'Version', value: facts.version });
  if (facts.environment) {
    fields.push({
      label: 'Environment',
      value: facts.environment,
      ...(facts.deploymentUrl ? { url: facts.deploymentUrl } : {}),
    });
  }
  if (facts.decision) fields.push({ label: 'Decision', value: facts.decision });
  if (facts.status) fields.push({ label: 'Status', value: facts.status });
  fields.push({ label: 'Repository', value: oneLine(facts.repository) });
  if (facts.sha) fields.push({ label: 'Commit', value: oneLine(facts.sha).slice(0, 12) });
  if (facts.actor) fields.push({ label: 'By', value: facts.actor });
  return {
    event: facts.event,
    ...(facts.status ? { status: facts.status } : {}),
    icon,
    title: facts.title ?? title,
    fields,
    messageLabel: MESSAGE_LABELS[facts.event],
    ...(facts.message ? { message: facts.message } : {}),
    runUrl: facts.runUrl,
    repository: oneLine(facts.repository),
  };
}

/** Escapes text for Slack's mrkdwn (`&`, `<`, `>`), so `<!channel>` or a `<url|label>` cannot be formed. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack link, only for http(s) URLs; the label is escaped and `|` cannot end it early. */
function slackLink(url: string | undefined, label: string): string {
  if (!url || !/^https?:\/\//i.test(url)) return slackEscape(label);
  return `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${slackEscape(label).replace(/\|/g, '¦')}>`;
}

/**
 * The payload of a Slack incoming webhook (also understood by Mattermost and Rocket.Chat): a
 * `text` fallback for notifications and clients without blocks, and blocks with a header, the
 * fields, the free text and a link to the run.
 */
export function slackPayload(notification: Notification): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: oneLine(`${notification.icon} ${notification.title}`), emoji: true },
    },
    {
      type: 'section',
      // Slack shows at most 10 fields in a section.
      fields: notification.fields.slice(0, 10).map((field) => ({
        type: 'mrkdwn',
        text: `*${field.label}*\n${slackLink(field.url, field.value)}`,
      })),
    },
  ];
  if (notification.message) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${notification.messageLabel}*\n${slackEscape(notification.message)}` },
    });
  }
  if (notification.runUrl) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${slackLink(notification.runUrl, 'Workflow run')} · ${notification.event}` }],
    });
  }
  return { text: slackEscape(`${notification.icon} ${notification.title}`), blocks };
}

/** The version tag of the generic JSON payload's shape. */
export const JSON_PAYLOAD_SCHEMA = 'hotfix-actions/notify@1';

/** The payload of a generic JSON webhook: flat, documented, versioned by `schema`. */
export function jsonPayload(notification: Notification, facts: NotificationFacts, time: Date): Record<string, unknown> {
  return {
    schema: JSON_PAYLOAD_SCHEMA,
    event: facts.event,
    status: facts.status ?? null,
    title: notification.title,
    text: notificationText(notification),
    tickets: facts.tickets,
    version: facts.version ?? null,
    environment: facts.environment ?? null,
    decision: facts.decision ?? null,
    message: facts.message ?? null,
    deployment_url: facts.deploymentUrl ?? null,
    repository: facts.repository,
    sha: facts.sha ?? null,
    ref: facts.ref ?? null,
    actor: facts.actor ?? null,
    run_url: facts.runUrl || null,
    time: time.toISOString(),
  };
}

/** The notification as plain text (e-mail body, JSON `text`). */
export function notificationText(notification: Notification): string {
  const width = Math.max(...notification.fields.map((field) => field.label.length));
  const lines = [`${notification.icon} ${notification.title}`, ''];
  for (const field of notification.fields) {
    lines.push(`${`${field.label}:`.padEnd(width + 2)}${field.value}${field.url ? ` <${field.url}>` : ''}`);
  }
  if (notification.message) lines.push('', `${notification.messageLabel}:`, notification.message);
  if (notification.runUrl) lines.push('', `Workflow run: ${notification.runUrl}`);
  return `${lines.join('\n')}\n`;
}

/** The notification as a small HTML document (every value escaped). */
export function notificationHtml(notification: Notification): string {
  const link = (url: string | undefined, text: string) =>
    url && /^https?:\/\//i.test(url)
      ? `<a href="${escapeHtmlText(url)}">${escapeHtmlText(text)}</a>`
      : escapeHtmlText(text);
  const rows = notification.fields
    .map(
      (field) =>
        `<tr><th align="left">${escapeHtmlText(field.label)}</th><td>${link(field.url, field.value)}</td></tr>`,
    )
    .join('');
  const message = notification.message
    ? `<h3>${escapeHtmlText(notification.messageLabel)}</h3><pre>${escapeHtmlText(notification.message)}</pre>`
    : '';
  const run = notification.runUrl ? `<p>${link(notification.runUrl, 'Workflow run')}</p>` : '';
  return `<!doctype html><html><body><h2>${escapeHtmlText(`${notification.icon} ${notification.title}`)}</h2><table>${rows}</table>${message}${run}</body></html>`;
}

/** The default e-mail subject: `[owner/repo] Deployed 1.2.4 to production` (no emoji, one line). */
export function emailSubject(notification: Notification): string {
  return oneLine(`[${notification.repository}] ${notification.title}`, 200);
}

/** The marker that opens every notify comment (followed by ` event=<event> -->`), so tools can find them. */
export const NOTIFY_COMMENT_MARKER = '<!-- hotfix-actions:notify';

/** Text that Markdown shows as written: HTML and Markdown punctuation escaped, @-mentions and #-links broken. */
export function inertMarkdown(text: string): string {
  return escapeHtmlText(text)
    .replace(/[\\`*_[\]()~|]/g, '\\$&')
    .replace(/[@#]/g, (char) => `${char}\u200b`);
}

/** The notification as a GitHub comment (values in inline code, where Markdown and @-mentions stay inert). */
export function commentBody(notification: Notification): string {
  const cell = (field: NotificationField) => {
    const code = markdownInlineCode(field.value);
    return field.url && /^https?:\/\//i.test(field.url)
      ? `[${code}](${field.url.replace(/[()\s]/g, encodeURIComponent)})`
      : code;
  };
  const parts = [
    `${NOTIFY_COMMENT_MARKER} event=${notification.event} -->`,
    markdownHeading(`${notification.icon} ${inertMarkdown(notification.title)}`, 3),
    markdownTable(
      ['', ''],
      notification.fields.map((field) => [field.label, cell(field)]),
    ),
  ];
  if (notification.message) {
    // The free text is the workflow's own prose: its Markdown (links, lists) is kept, mentions are not.
    const quoted = notification.message
      .split('\n')
      .map((line) => `> ${escapeHtmlText(line).replace(/@/g, '@\u200b')}`)
      .join('\n');
    parts.push(`**${notification.messageLabel}**\n\n${quoted}\n`);
  }
  if (notification.runUrl) parts.push(`[Workflow run](${notification.runUrl})\n`);
  return parts.join('\n');
}
