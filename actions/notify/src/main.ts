import * as core from '@actions/core';
import {
  createGitHubClient,
  logGroup,
  markdownHeading,
  markdownInlineCode,
  markdownTable,
  repoFromEnv,
  writeSummary,
} from '@hotfix-actions/core';
import { postComment, postJson, sendEmail, type Channel, type ChannelResult } from './channels.js';
import { readNotifyInputs } from './inputs.js';
import {
  commentBody,
  composeNotification,
  emailSubject,
  inertMarkdown,
  jsonPayload,
  notificationHtml,
  notificationText,
  oneLine,
  slackPayload,
  type NotificationFacts,
} from './message.js';

/** The run's page, from the runner's environment; empty outside a run. */
export function runUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env;
  return repository && runId ? `${server}/${repository}/actions/runs/${runId}` : '';
}

/** The action: compose one notification, send it to every configured channel, never fail the release by default. */
export async function run(): Promise<void> {
  const inputs = readNotifyInputs();
  const repository = repoFromEnv();
  const facts: NotificationFacts = {
    ...inputs.facts,
    repository: `${repository.owner}/${repository.repo}`,
    runUrl: runUrlFromEnv(),
    ...(process.env.GITHUB_SHA ? { sha: process.env.GITHUB_SHA } : {}),
    ...(process.env.GITHUB_REF_NAME ? { ref: oneLine(process.env.GITHUB_REF_NAME) } : {}),
    ...(process.env.GITHUB_ACTOR ? { actor: oneLine(process.env.GITHUB_ACTOR) } : {}),
  };
  const notification = composeNotification(facts);
  const http = { timeoutMs: inputs.timeoutMs, retries: inputs.retries };

  const channels: Channel[] = [];
  if (inputs.slackWebhook) {
    const url = inputs.slackWebhook;
    channels.push({ name: 'slack', send: () => postJson(url, slackPayload(notification), http) });
  }
  if (inputs.webhook) {
    const url = inputs.webhook;
    channels.push({ name: 'webhook', send: () => postJson(url, jsonPayload(notification, facts, new Date()), http) });
  }
  if (inputs.email) {
    const email = inputs.email;
    if (email.subjectNeutralised) {
      core.warning('Line breaks and control characters in email-subject were replaced by spaces.', {
        title: 'E-mail subject neutralised',
      });
    }
    const headers: Record<string, string> = { 'X-Hotfix-Event': facts.event };
    if (facts.tickets.length > 0) headers['X-Hotfix-Ticket'] = oneLine(facts.tickets.join(', '));
    if (facts.version) headers['X-Hotfix-Version'] = facts.version;
    channels.push({
      name: 'email',
      send: () =>
        sendEmail(
          email,
          {
            subject: email.subject ?? emailSubject(notification),
            text: notificationText(notification),
            html: notificationHtml(notification),
            headers,
          },
          inputs.timeoutMs,
        ),
    });
  }
  if (inputs.issueNumber !== undefined) {
    const github = await createGitHubClient({ token: inputs.token! });
    const issue = inputs.issueNumber;
    channels.push({ name: 'github', send: () => postComment(github, repository, issue, commentBody(notification)) });
  }

  for (const { channel, error } of inputs.channelProblems) {
    channels.push({ name: channel, send: async () => ({ ok: false, error: error.message }) });
  }

  if (channels.length === 0) {
    core.notice('No notification channel is configured: nothing was sent.', { title: 'Notify' });
    core.setOutput('sent', '{}');
    core.setOutput('ok', 'true');
    return;
  }

  const results = await logGroup(`Notify ${facts.event}: ${notification.title}`, async () => {
    // Channels are independent: one slow server must not delay the others.
    const settled = await Promise.all(channels.map(async (channel) => [channel.name, await channel.send()] as const));
    for (const [name, result] of settled) {
      core.info(`${name}: ${result.ok ? 'sent' : `failed (${result.error})`}`);
    }
    return settled;
  });

  const sent: Record<string, ChannelResult> = Object.fromEntries(results);
  const failed = results.filter(([, result]) => !result.ok);
  core.setOutput('sent', JSON.stringify(sent));
  core.setOutput('ok', String(failed.length === 0));
  await writeSummary(summary(notification.icon, notification.title, results));

  if (failed.length === 0) return;
  const message = `The ${facts.event} notification was not sent to ${failed
    .map(([name, result]) => `${name} (${result.error})`)
    .join(', ')}.`;
  if (inputs.failOnError) {
    core.error(message, { title: 'Notification failed' });
    process.exitCode = 1;
  } else {
    core.warning(`${message} The release goes on (fail-on-error is false).`, { title: 'Notification failed' });
  }
}

function summary(icon: string, title: string, results: readonly (readonly [string, ChannelResult])[]): string {
  const rows = results.map(([name, result]) => [
    name,
    result.ok ? 'sent' : '**failed**',
    result.ok
      ? (result.url ??
        (result.status ? `HTTP ${result.status}` : result.response ? markdownInlineCode(result.response) : ''))
      : markdownInlineCode(result.error ?? ''),
  ]);
  return [
    markdownHeading(`${icon} Notified: ${inertMarkdown(title)}`, 3),
    markdownTable(['channel', 'outcome', 'detail'], rows),
  ].join('\n');
}
