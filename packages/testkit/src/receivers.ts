import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

// Local receivers for notifications: an HTTP endpoint that records webhook calls and an SMTP server
// that records mail. Both listen on 127.0.0.1 on a free port, so nothing ever leaves the machine.

/** One request the HTTP receiver got. */
export interface ReceivedHttpRequest {
  /** Sequence number, from 1. */
  seq: number;
  method: string;
  /** Path and query, as sent (`/services/T0/B0/x?a=1`). */
  path: string;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as text (UTF-8). */
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  /** What the receiver answered (0 when it reset the connection). */
  status: number;
}

/** How the HTTP receiver answers: a status and a body. */
export interface HttpReceiverReply {
  /** HTTP status (default 200). */
  status?: number;
  /** Response body (default `ok`, as Slack answers). */
  body?: string;
  /** Response headers. */
  headers?: Record<string, string>;
}

/** Options for {@link startHttpReceiver}. */
export interface HttpReceiverOptions {
  /** The normal answer (default 200 `ok`). */
  reply?: HttpReceiverReply;
  /** Wait this long before answering, in milliseconds (default 0). */
  delayMs?: number;
}

/** A running HTTP receiver. */
export interface HttpReceiver {
  /** Base URL, `http://127.0.0.1:PORT`; any path is accepted. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: ReceivedHttpRequest[];
  /** Changes the normal answer. */
  reply(reply: HttpReceiverReply): void;
  /**
   * The next `count` requests fail: with `status` (default 500), or by resetting the connection
   * without an answer (`'reset'`). `Infinity` fails every request from now on.
   */
  failNext(count: number, failure?: number | 'reset'): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** Starts an HTTP receiver on loopback that records every request (method, headers, JSON body). */
export async function startHttpReceiver(options: HttpReceiverOptions = {}): Promise<HttpReceiver> {
  const requests: ReceivedHttpRequest[] = [];
  let normal: Required<HttpReceiverReply> = { status: 200, body: 'ok', headers: {}, ...options.reply };
  let failures = 0;
  let failure: number | 'reset' = 500;
  const sockets = new Set<Socket>();

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      const failing = failures > 0;
      if (failing) failures--;
      const status = failing ? (failure === 'reset' ? 0 : failure) : normal.status;
      requests.push({
        seq: requests.length + 1,
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers,
        rawBody,
        body,
        status,
      });
      const answer = (): void => {
        if (status === 0) {
          request.socket.destroy();
          return;
        }
        const text = failing ? `error ${status}` : normal.body;
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(failing ? {} : normal.headers) });
        response.end(text);
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(reply) {
      normal = { ...normal, ...reply };
    },
    failNext(count, kind = 500) {
      failures = count;
      failure = kind;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One message the SMTP receiver accepted. */
export interface ReceivedMail {
  /** The SMTP envelope: who the client said it sends for and to (MAIL FROM, RCPT TO). */
  envelope: { mailFrom: string | undefined; rcptTo: string[] };
  /** The message exactly as transmitted (headers and body, CRLF line ends). */
  raw: string;
  /** Header lines as transmitted, unfolded, in order: `[name, value]` with the name in lower case. */
  headerLines: [string, string][];
  /** Headers by lower-case name; repeated headers keep every value. */
  headers: Record<string, string[]>;
  /** The Subject header, with MIME encoded-words decoded. */
  subject: string | undefined;
  /** The plain-text body (the text/plain part of a multipart message), transfer encoding decoded. */
  text: string;
  /** The HTML body, when the message has one. */
  html: string | undefined;
  /** The user name the client authenticated as, if it did. */
  user: string | undefined;
  /** True when the session was encrypted (implicit TLS or STARTTLS). */
  secure: boolean;
}

/** Options for {@link startSmtpReceiver}. */
export interface SmtpReceiverOptions {
  /**
   * `none` (plain SMTP, STARTTLS not offered; the default), `starttls` (offered, with the built-in
   * self-signed localhost certificate) or `implicit` (TLS from the first byte, as on port 465).
   */
  tls?: 'none' | 'starttls' | 'implicit';
  /** Require AUTH with these credentials (PLAIN or LOGIN); without it AUTH is not offered. */
  auth?: { user: string; password: string };
  /** Refuse these recipients at RCPT TO (550). */
  rejectRecipients?: string[];
}

/** A running SMTP receiver. */
export interface SmtpReceiver {
  readonly host: string;
  readonly port: number;
  /** `smtp://127.0.0.1:PORT` (`smtps://` with implicit TLS), without credentials. */
  readonly url: string;
  /** Every message accepted, in arrival order. */
  readonly messages: ReceivedMail[];
  /** Failed AUTH attempts (user names only). */
  readonly failedLogins: string[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts an SMTP server on loopback (built on smtp-server) that records every message it accepts. */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const mode = options.tls ?? 'none';
  const messages: ReceivedMail[] = [];
  const failedLogins: string[] = [];
  const rejected = new Set((options.rejectRecipients ?? []).map((address) => address.toLowerCase()));
  const disabled = [...(mode === 'starttls' ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])];

  const server = new SMTPServer({
    secure: mode === 'implicit',
    // The built-in certificate is for tests only; its warning would clutter the test output.
    logger: false,
    disabledCommands: disabled,
    authOptional: options.auth === undefined,
    allowInsecureAuth: mode === 'none',
    size: 10 * 1024 * 1024,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, callback) {
      const expected = options.auth;
      if (expected && auth.username === expected.user && auth.password === expected.password) {
        callback(null, { user: auth.username });
        return;
      }
      failedLogins.push(auth.username ?? '');
      callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address.toLowerCase())) {
        const error = new Error(`Recipient ${address.address} refused`) as Error & { responseCode?: number };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        messages.push({
          envelope: {
            mailFrom: from === false || from === undefined ? undefined : from.address,
            rcptTo: session.envelope.rcptTo.map((address) => address.address),
          },
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          ...parseMail(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    url: `${mode === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${port}`,
    messages,
    failedLogins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type ParsedMail = Pick<ReceivedMail, 'raw' | 'headerLines' | 'headers' | 'subject' | 'text' | 'html'>;

/** Splits a message into unfolded header lines and a body. */
function splitMessage(raw: string): { headerLines: [string, string][]; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headerLines: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    const last = headerLines.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headerLines.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { headerLines, body };
}

function parseMail(raw: string): ParsedMail {
  const { headerLines, body } = splitMessage(raw);
  const headers: Record<string, string[]> = {};
  for (const [name, value] of headerLines) (headers[name] ??= []).push(value);
  const subject = headers.subject?.[0];
  const parts = leafParts(headerLines, body);
  const text = parts.find((part) => part.type === 'text/plain')?.content ?? '';
  const html = parts.find((part) => part.type === 'text/html')?.content;
  return {
    raw,
    headerLines,
    headers,
    subject: subject === undefined ? undefined : decodeEncodedWords(subject),
    text,
    html,
  };
}

/** The non-multipart parts of a message, decoded (quoted-printable or base64). */
function leafParts(headerLines: [string, string][], body: string): { type: string; content: string }[] {
  const header = (name: string) => headerLines.find(([key]) => key === name)?.[1] ?? '';
  const contentType = header('content-type') || 'text/plain';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return [];
    const sections = body.split(`--${boundary}`).slice(1);
    return sections
      .filter((section) => !section.startsWith('--'))
      .flatMap((section) => {
        const inner = splitMessage(section.replace(/^\r?\n/, ''));
        return leafParts(inner.headerLines, inner.body);
      });
  }
  const encoding = header('content-transfer-encoding').toLowerCase();
  const charsetBytes =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, 'utf8');
  return [{ type, content: charsetBytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '') }];
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const input = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < input.length; i++) {
    const char = input[i]!;
    const hex = input.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded-words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`); adjacent words join without space. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}
