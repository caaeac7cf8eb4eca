import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNoViolations,
  createGitSandbox,
  runBundle,
  startGitHubStandIn,
  startHttpReceiver,
  startSmtpReceiver,
  type BundleRun,
  type GitHubStandIn,
  type GitSandbox,
  type HttpReceiver,
  type RunBundleOptions,
  type SmtpReceiver,
} from '@hotfix-actions/testkit';
import { getOctokit } from '@actions/github';

// Runner-contract tests: the committed bundle dist/notify/index.js, run as the runner runs it, with
// notifications received by a local HTTP receiver, a local SMTP server and the GitHub API stand-in.

const R = { owner: 'acme', repo: 'shop' } as const;
const SLACK_PATH = '/services/T0001/B0002/s3cr3tWebhookToken';

let sandbox: GitSandbox;
let http: HttpReceiver;

beforeAll(async () => {
  sandbox = await createGitSandbox();
});

afterAll(async () => {
  await sandbox?.cleanup();
});

beforeEach(async () => {
  http = await startHttpReceiver();
});

afterEach(async () => {
  await http.close();
});

function notify(inputs: Record<string, string>, options: Partial<RunBundleOptions> = {}): Promise<BundleRun> {
  return runBundle({ bundle: 'notify', inputs, repository: `${R.owner}/${R.repo}`, ...options });
}

/** stdout as a person reads it in the log: the runner hides `::add-mask::` commands themselves. */
function visibleLog(run: BundleRun): string {
  return run.stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function explain(run: BundleRun): string {
  return `exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`;
}

describe('notify webhooks', () => {
  it('posts Slack blocks with ticket, version, environment, decision and the run link', async () => {
    const url = `${http.url}${SLACK_PATH}`;
    const run = await notify({
      event: 'post-deploy',
      status: 'success',
      ticket: 'bd-a1b2',
      'ticket-url': 'https://tracker.example.com/issues/{ticket}',
      version: '1.2.4',
      environment: 'production',
      decision: 'canary promoted',
      message: 'Error rate back to 0.1 %.\nLogin works again <for everyone> & @channel',
      'slack-webhook-url': url,
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(JSON.parse(run.outputs.sent!)).toEqual({ slack: { ok: true, status: 200, attempts: 1 } });
    expect(run.outputs.ok).toBe('true');

    expect(http.requests).toHaveLength(1);
    const request = http.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(SLACK_PATH);
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    const payload = request.body as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[];
    };
    expect(payload.text).toBe('✅ Deployed 1.2.4 to production');
    expect(payload.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(payload.blocks[0]!.text!.text).toBe('✅ Deployed 1.2.4 to production');
    const fields = payload.blocks[1]!.fields!.map((field) => field.text);
    expect(fields).toContain('*Ticket*\n<https://tracker.example.com/issues/bd-a1b2|bd-a1b2>');
    expect(fields).toContain('*Version*\n1.2.4');
    expect(fields).toContain('*Environment*\nproduction');
    expect(fields).toContain('*Decision*\ncanary promoted');
    expect(fields).toContain('*Repository*\nacme/shop');
    // The free text is escaped: no <!channel>-style mention or link can be formed from it.
    expect(payload.blocks[2]!.text!.text).toBe(
      '*Verification*\nError rate back to 0.1 %.\nLogin works again &lt;for everyone&gt; &amp; @channel',
    );
    expect(payload.blocks[3]!.elements![0]!.text).toBe(
      '<https://github.com/acme/shop/actions/runs/1658821493|Workflow run> · post-deploy',
    );

    // The webhook URL is a credential: masked first, never visible in the log.
    expect(run.masks).toContain(url);
    expect(visibleLog(run)).not.toContain('s3cr3tWebhookToken');
    expect(run.summary).toContain('✅ Notified: Deployed 1.2.4 to production');
  });

  it('posts the generic JSON payload, taking tickets, version and environment from the hotfix context', async () => {
    const context = JSON.stringify({
      version: '2.1.4',
      tag: 'v2.1.4',
      tickets: ['bd-a1b2', 'bd-c3d4'],
      deployment: { environment: 'staging', url: 'https://staging.example.com' },
    });
    const run = await notify({
      event: 'pre-deploy',
      context,
      message: 'Canary 5 % for 10 minutes.',
      'webhook-url': `${http.url}/hooks/release?key=abc123456`,
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(http.requests[0]!.body).toMatchObject({
      schema: 'hotfix-actions/notify@1',
      event: 'pre-deploy',
      status: null,
      title: 'Deploying 2.1.4 to staging',
      tickets: ['bd-a1b2', 'bd-c3d4'],
      version: '2.1.4',
      environment: 'staging',
      deployment_url: 'https://staging.example.com',
      message: 'Canary 5 % for 10 minutes.',
      repository: 'acme/shop',
      run_url: 'https://github.com/acme/shop/actions/runs/1658821493',
      actor: 'octocat',
    });
    expect((http.requests[0]!.body as { text: string }).text).toContain('Deployment plan:\nCanary 5 % for 10 minutes.');
    expect(visibleLog(run)).not.toContain('abc123456');
  });

  it('warns and exits 0 when a webhook keeps failing, after retrying; fails with fail-on-error', async () => {
    http.failNext(Infinity, 500);
    const url = `${http.url}${SLACK_PATH}`;
    const run = await notify({ event: 'hotfix-start', ticket: 'bd-a1b2', 'slack-webhook-url': url });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(http.requests).toHaveLength(3);
    expect(JSON.parse(run.outputs.sent!)).toEqual({
      slack: { ok: false, status: 500, attempts: 3, error: 'HTTP 500: error 500' },
    });
    expect(run.outputs.ok).toBe('false');
    expect(run.annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        title: 'Notification failed',
        message:
          'The hotfix-start notification was not sent to slack (HTTP 500: error 500). The release goes on (fail-on-error is false).',
      }),
    ]);
    expect(run.summary).toContain('**failed**');
    expect(visibleLog(run)).not.toContain('s3cr3tWebhookToken');

    const strict = await notify({
      event: 'hotfix-start',
      ticket: 'bd-a1b2',
      'slack-webhook-url': url,
      'fail-on-error': 'true',
      retries: '0',
    });
    expect(strict.exitCode).toBe(1);
    expect(strict.annotations).toContainEqual(
      expect.objectContaining({ level: 'error', title: 'Notification failed' }),
    );
    expect(visibleLog(strict)).not.toContain('s3cr3tWebhookToken');
  });

  it('recovers from a transient failure and from a reset connection by retrying', async () => {
    http.failNext(1, 'reset');
    const run = await notify({
      event: 'rollback',
      environment: 'production',
      version: '1.2.3',
      'webhook-url': `${http.url}/hook`,
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(JSON.parse(run.outputs.sent!)).toEqual({ webhook: { ok: true, status: 200, attempts: 2 } });
    expect((http.requests[1]!.body as { title: string }).title).toBe('Rolled back production to 1.2.3');
  });

  it('does not retry a 4xx answer, and sends to the other channels when one fails', async () => {
    const other = await startHttpReceiver({ reply: { status: 404, body: 'no_service' } });
    try {
      const run = await notify({
        event: 'post-incident',
        ticket: 'bd-a1b2',
        'slack-webhook-url': `${other.url}${SLACK_PATH}`,
        'webhook-url': `${http.url}/hook`,
      });
      expect(run.exitCode, explain(run)).toBe(0);
      expect(other.requests).toHaveLength(1);
      expect(JSON.parse(run.outputs.sent!)).toEqual({
        slack: { ok: false, status: 404, attempts: 1, error: 'HTTP 404: no_service' },
        webhook: { ok: true, status: 200, attempts: 1 },
      });
    } finally {
      await other.close();
    }
  });

  it('fails only the channel whose URL is not http(s), without showing it; sends nothing when no channel is set', async () => {
    const bad = await notify({
      event: 'pre-deploy',
      'slack-webhook-url': 'ftp://hooks.example.com/s3cr3tWebhookToken',
      'webhook-url': `${http.url}/hook`,
    });
    expect(bad.exitCode, explain(bad)).toBe(0);
    const sent = JSON.parse(bad.outputs.sent!);
    expect(sent.webhook).toMatchObject({ ok: true });
    expect(sent.slack.ok).toBe(false);
    expect(sent.slack.error).toContain('Input "slack-webhook-url" must be an http(s) URL');
    expect(bad.annotations).toEqual([expect.objectContaining({ level: 'warning', title: 'Notification failed' })]);
    expect(visibleLog(bad)).not.toContain('s3cr3tWebhookToken');
    expect(bad.outputs.sent).not.toContain('s3cr3tWebhookToken');

    const none = await notify({ event: 'pre-deploy' });
    expect(none.exitCode).toBe(0);
    expect(none.outputs).toEqual({ sent: '{}', ok: 'true' });
  });

  it('fails the step for a mistake every notification shares, naming the input', async () => {
    const run = await notify({ event: 'deployed', 'webhook-url': `${http.url}/hook` });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]).toMatchObject({ title: 'Configuration error for input "event"' });
    expect(run.annotations[0]!.message).toContain(
      '"hotfix-start", "pre-deploy", "post-deploy", "post-incident", "rollback"',
    );
    expect(http.requests).toHaveLength(0);
  });
});

describe('notify by e-mail', () => {
  let smtp: SmtpReceiver;

  afterEach(async () => {
    await smtp?.close();
  });

  it('sends the message through SMTP with the right subject, body and headers', async () => {
    smtp = await startSmtpReceiver();
    const run = await notify({
      event: 'post-deploy',
      status: 'failure',
      ticket: 'bd-a1b2',
      version: '1.2.4',
      environment: 'production',
      message: 'Health check failed: 12 % errors.',
      'smtp-host': smtp.host,
      'smtp-port': String(smtp.port),
      'smtp-secure': 'none',
      'email-from': 'Release Bot <release@example.com>',
      'email-to': 'oncall@example.com, Team Lead <lead@example.com>',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(JSON.parse(run.outputs.sent!).email).toMatchObject({ ok: true });
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.envelope).toEqual({
      mailFrom: 'release@example.com',
      rcptTo: ['oncall@example.com', 'lead@example.com'],
    });
    expect(mail.subject).toBe('[acme/shop] Deployment of 1.2.4 to production failed');
    expect(mail.headers.from).toEqual(['Release Bot <release@example.com>']);
    expect(mail.headers['x-hotfix-event']).toEqual(['post-deploy']);
    expect(mail.headers['x-hotfix-ticket']).toEqual(['bd-a1b2']);
    expect(mail.text).toContain('❌ Deployment of 1.2.4 to production failed');
    expect(mail.text).toMatch(/Ticket: +bd-a1b2/);
    expect(mail.text).toMatch(/Version: +1\.2\.4/);
    expect(mail.text).toContain('Verification:\nHealth check failed: 12 % errors.');
    expect(mail.text).toContain('Workflow run: https://github.com/acme/shop/actions/runs/1658821493');
    expect(mail.html).toContain('<th align="left">Environment</th><td>production</td>');
  });

  it('neutralises a header injection in the subject and in values: no Bcc reaches the envelope or the headers', async () => {
    smtp = await startSmtpReceiver();
    const run = await notify({
      event: 'hotfix-start',
      ticket: 'bd-a1b2\r\nBcc: evil2@example.com',
      version: '1.0.0\nX-Injected: yes',
      'email-subject': 'x\r\nBcc: evil@example.com',
      'smtp-url': smtp.url,
      'smtp-secure': 'none',
      'email-from': 'release@example.com',
      'email-to': 'oncall@example.com',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ level: 'warning', title: 'E-mail subject neutralised' }),
    );
    const mail = smtp.messages[0]!;
    expect(mail.envelope.rcptTo).toEqual(['oncall@example.com']);
    expect(mail.subject).toBe('x Bcc: evil@example.com');
    const names = mail.headerLines.map(([name]) => name);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(mail.raw).not.toMatch(/^Bcc:/im);
    // The ticket's line break became a separator: data on one header line, not a new header.
    expect(mail.headers['x-hotfix-ticket']).toEqual(['bd-a1b2, Bcc:, evil2@example.com']);
  });

  it('refuses a recipient list that tries to smuggle a header, naming the input, and sends no mail', async () => {
    smtp = await startSmtpReceiver();
    const run = await notify({
      event: 'hotfix-start',
      'smtp-url': smtp.url,
      'smtp-secure': 'none',
      'email-from': 'release@example.com',
      'email-to': 'oncall@example.com\r\nBcc: evil@example.com',
      'fail-on-error': 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.outputs.sent!).email.error).toMatch(/^Input "email-to" must list e-mail addresses/);
    expect(smtp.messages).toHaveLength(0);
  });

  it('logs in over STARTTLS with a password that never appears in the log', async () => {
    smtp = await startSmtpReceiver({ tls: 'starttls', auth: { user: 'release-bot', password: 'Sm7p-pa55word!' } });
    const run = await notify({
      event: 'pre-deploy',
      version: '1.2.4',
      'smtp-host': smtp.host,
      'smtp-port': String(smtp.port),
      'smtp-user': 'release-bot',
      'smtp-password': 'Sm7p-pa55word!',
      // The receiver's certificate is the smtp-server package's self-signed localhost one.
      'smtp-tls-verify': 'false',
      'email-from': 'release@example.com',
      'email-to': 'oncall@example.com',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]).toMatchObject({ user: 'release-bot', secure: true });
    expect(run.masks).toContain('Sm7p-pa55word!');
    expect(visibleLog(run)).not.toContain('Sm7p-pa55word!');
    expect(run.stderr).not.toContain('Sm7p-pa55word!');
  });

  it('warns without failing when the certificate is not trusted, the login is refused or the server is down', async () => {
    smtp = await startSmtpReceiver({ tls: 'starttls', auth: { user: 'release-bot', password: 'right' } });
    const common = {
      event: 'post-incident',
      'smtp-host': smtp.host,
      'smtp-port': String(smtp.port),
      'smtp-user': 'release-bot',
      'email-from': 'release@example.com',
      'email-to': 'oncall@example.com',
    };
    const untrusted = await notify({ ...common, 'smtp-password': 'right' });
    expect(untrusted.exitCode, explain(untrusted)).toBe(0);
    expect(JSON.parse(untrusted.outputs.sent!).email.error).toMatch(/certificate/i);

    const refused = await notify({ ...common, 'smtp-password': 'wrong-pa55', 'smtp-tls-verify': 'false' });
    expect(refused.exitCode).toBe(0);
    expect(JSON.parse(refused.outputs.sent!).email).toMatchObject({ ok: false });
    expect(JSON.parse(refused.outputs.sent!).email.error).toMatch(/EAUTH|535|Invalid/);
    expect(visibleLog(refused)).not.toContain('wrong-pa55');
    expect(smtp.messages).toHaveLength(0);

    const down = await notify({ ...common, 'smtp-port': '9', 'smtp-password': 'right', 'fail-on-error': 'true' });
    expect(down.exitCode).toBe(1);
    expect(JSON.parse(down.outputs.sent!).email.error).toMatch(/ECONNREFUSED|ECONNECTION/);
  });

  it('refuses to send a password in clear text to a remote server', async () => {
    const run = await notify({
      event: 'pre-deploy',
      'smtp-url': 'smtp://bot:pa55w0rd-in-url@mail.example.com:25',
      'smtp-secure': 'none',
      'email-to': 'oncall@example.com',
      'email-from': 'release@example.com',
    });
    expect(run.exitCode, explain(run)).toBe(0);
    expect(JSON.parse(run.outputs.sent!).email.error).toMatch(/^Input "smtp-secure" is "none" but a password is set/);
    expect(visibleLog(run)).not.toContain('pa55w0rd-in-url');
  });
});

describe('notify on GitHub', () => {
  let api: GitHubStandIn;

  beforeEach(async () => {
    api = await startGitHubStandIn({ ...R, gitDir: sandbox.origin });
  });

  afterEach(async () => {
    assertNoViolations(api);
    await api.close();
  });

  it('comments on the pull request, mentions and markup kept inert', async () => {
    await sandbox.commit({ 'fix.txt': 'fix\n' }, 'fix: login', { branch: 'hotfix/bd-a1b2-login', push: true });
    const octokit = getOctokit('test-token', { baseUrl: api.url });
    const { data: pull } = await octokit.rest.pulls.create({
      ...R,
      title: 'Hotfix bd-a1b2',
      head: 'hotfix/bd-a1b2-login',
      base: 'main',
    });
    const run = await notify(
      {
        event: 'hotfix-start',
        ticket: 'bd-a1b2',
        title: 'Hotfix for @everyone <img src=x>',
        message: 'Ping @org/oncall please.',
        'issue-number': String(pull.number),
      },
      { env: api.env() },
    );
    expect(run.exitCode, explain(run)).toBe(0);
    const comment = api.state.comments.find((c) => c.issueNumber === pull.number)!;
    expect(JSON.parse(run.outputs.sent!)).toEqual({
      github: { ok: true, url: expect.stringMatching(new RegExp(`/(issues|pull)/${pull.number}#issuecomment-\\d+$`)) },
    });
    expect(comment.body).toContain('<!-- hotfix-actions:notify event=hotfix-start -->');
    expect(comment.body).toContain('| Ticket | `bd-a1b2` |');
    expect(comment.body).toContain('[Workflow run](https://github.com/acme/shop/actions/runs/1658821493)');
    expect(comment.body).not.toMatch(/@everyone|@org\/oncall|<img/);
  });
});
