import { describe, expect, it } from 'vitest';
import { parseMailbox } from '../src/inputs.js';
import {
  NOTIFY_EVENTS,
  cleanText,
  commentBody,
  composeNotification,
  emailSubject,
  jsonPayload,
  notificationText,
  oneLine,
  slackPayload,
  type NotificationFacts,
} from '../src/message.js';

// What each channel is sent, from the same facts: pure functions, no network.

const base: NotificationFacts = {
  event: 'post-deploy',
  tickets: ['bd-a1b2'],
  version: '1.2.4',
  environment: 'production',
  repository: 'acme/shop',
  runUrl: 'https://github.com/acme/shop/actions/runs/1',
};

describe('one-line values', () => {
  it('turns every line break and control character into a space, so no header can be started', () => {
    expect(oneLine('x\r\nBcc: evil@example.com')).toBe('x Bcc: evil@example.com');
    expect(oneLine('a\u2028b\u0085c\td\u0000e')).toBe('a b c d e');
    expect(oneLine(`${'x'.repeat(200)}`, 10)).toBe('xxxxxxxxx…');
    expect(cleanText('line 1\r\nline 2\u0007\r\n')).toBe('line 1\nline 2');
  });
});

describe('headlines', () => {
  it.each([
    ['hotfix-start', undefined, '🚑 Hotfix started: bd-a1b2'],
    ['pre-deploy', undefined, '🚀 Deploying 1.2.4 to production'],
    ['post-deploy', 'success', '✅ Deployed 1.2.4 to production'],
    ['post-deploy', 'failure', '❌ Deployment of 1.2.4 to production failed'],
    ['post-deploy', 'cancelled', '⚪ Deployment of 1.2.4 to production was cancelled'],
    ['post-incident', undefined, '📝 Post-incident review: bd-a1b2'],
    ['rollback', undefined, '⏪ Rolled back production to 1.2.4'],
    ['rollback', 'failure', '🔥 Rollback of production failed'],
  ] as const)('%s %s → %s', (event, status, expected) => {
    const notification = composeNotification({ ...base, event, ...(status ? { status } : {}) });
    expect(`${notification.icon} ${notification.title}`).toBe(expected);
  });

  it('covers every event and labels its free text', () => {
    const labels = NOTIFY_EVENTS.map((event) => composeNotification({ ...base, event }).messageLabel);
    expect(labels).toEqual(['Notes', 'Deployment plan', 'Verification', 'Findings', 'Notes']);
    expect(composeNotification({ ...base, title: 'Custom' }).title).toBe('Custom');
  });
});

describe('payloads', () => {
  it('escapes Slack mrkdwn and builds only http(s) links, with a label that cannot end the link', () => {
    const payload = slackPayload(
      composeNotification({
        ...base,
        tickets: ['bd-a1b2', 'x|y'],
        ticketUrl: 'https://t.example/{ticket}',
        decision: '<!channel> & <https://evil|click>',
      }),
    ) as { blocks: { fields?: { text: string }[] }[] };
    const fields = payload.blocks[1]!.fields!.map((field) => field.text);
    expect(fields).toContain('*Ticket*\n<https://t.example/bd-a1b2|bd-a1b2>');
    expect(fields).toContain('*Ticket*\n<https://t.example/x%7Cy|x¦y>');
    expect(fields).toContain('*Decision*\n&lt;!channel&gt; &amp; &lt;https://evil|click&gt;');
  });

  it('keeps Slack within its limits: 10 fields, 150-character header', () => {
    const many = composeNotification({
      ...base,
      tickets: Array.from({ length: 12 }, (_, i) => `bd-${i}aa`),
      title: 'x'.repeat(300),
    });
    const payload = slackPayload(many) as { blocks: { text?: { text: string }; fields?: unknown[] }[] };
    expect(payload.blocks[1]!.fields).toHaveLength(10);
    expect([...payload.blocks[0]!.text!.text].length).toBeLessThanOrEqual(150);
  });

  it('gives the JSON webhook a flat, versioned payload', () => {
    const facts = { ...base, status: 'success' as const, decision: 'promote', message: 'ok' };
    expect(jsonPayload(composeNotification(facts), facts, new Date('2026-01-01T00:00:00Z'))).toEqual({
      schema: 'hotfix-actions/notify@1',
      event: 'post-deploy',
      status: 'success',
      title: 'Deployed 1.2.4 to production',
      text: expect.stringContaining('Verification:\nok'),
      tickets: ['bd-a1b2'],
      version: '1.2.4',
      environment: 'production',
      decision: 'promote',
      message: 'ok',
      deployment_url: null,
      repository: 'acme/shop',
      sha: null,
      ref: null,
      actor: null,
      run_url: 'https://github.com/acme/shop/actions/runs/1',
      time: '2026-01-01T00:00:00.000Z',
    });
  });

  it('writes the e-mail subject and body on their own lines', () => {
    const notification = composeNotification({ ...base, title: 'Deploy\r\nBcc: evil@example.com' });
    expect(emailSubject(notification)).toBe('[acme/shop] Deploy Bcc: evil@example.com');
    expect(notificationText(notification)).toMatch(/^✅ Deploy Bcc: evil@example.com\n\nTicket: +bd-a1b2\n/);
  });

  it('keeps mentions and markup inert in a GitHub comment', () => {
    const body = commentBody(
      composeNotification({ ...base, title: '@everyone <b>x</b> [y](https://evil)', message: 'cc @org/team' }),
    );
    expect(body).not.toMatch(/@everyone|<b>|\[y\]\(|@org/);
    expect(body).toContain('| Ticket | `bd-a1b2` |');
  });
});

describe('mailboxes', () => {
  it('reads addresses with and without a display name', () => {
    expect(parseMailbox('ops@example.com', 'email-to')).toEqual({ address: 'ops@example.com' });
    expect(parseMailbox('Release Bot <bot@example.com>', 'email-from')).toEqual({
      name: 'Release Bot',
      address: 'bot@example.com',
    });
  });

  it.each([
    'ops@example.com\r\nBcc: evil@example.com',
    'Bcc: evil@example.com',
    'a <b@example.com',
    'a@b@c',
    'Doe, John <j@example.com>',
    '"Q" <q@example.com>',
    'x@-bad.example',
  ])('refuses %j, naming the input', (text) => {
    expect(() => parseMailbox(text, 'email-to')).toThrow(expect.objectContaining({ input: 'email-to' }));
  });
});
