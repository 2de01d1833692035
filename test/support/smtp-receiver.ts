/**
 * A real SMTP server (the `smtp-server` package) on 127.0.0.1 that requires AUTH PLAIN/LOGIN, can
 * refuse recipients and temporarily refuse mail, and keeps every received message decoded enough to
 * assert on: envelope, headers (RFC 2047 words decoded), text and HTML parts (quoted-printable or
 * base64). No mocks: nodemailer talks SMTP to it.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  headers: Map<string, string>;
  text?: string;
  html?: string;
  raw: string;
}

export interface SmtpReceiver {
  url: string;
  user: string;
  password: string;
  mails: ReceivedMail[];
  /** Recipients refused with 550. */
  refuse: Set<string>;
  /** The next n messages get `451 4.3.0 Try again later` at DATA. */
  deferNext(n: number): void;
  close(): Promise<void>;
}

function decodeWords(v: string): string {
  return v.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split(/\r\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), decodeWords(line.slice(i + 1).trim()));
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const e = (encoding ?? '7bit').toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function splitPart(part: string): { headers: Map<string, string>; body: string } {
  const at = part.indexOf('\r\n\r\n');
  return { headers: parseHeaders(part.slice(0, at)), body: part.slice(at + 4) };
}

export function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'text' | 'html'> {
  const { headers, body } = splitPart(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const out: Pick<ReceivedMail, 'headers' | 'text' | 'html'> = { headers };
  const take = (h: Map<string, string>, b: string) => {
    const t = h.get('content-type') ?? 'text/plain';
    const text = decodeBody(b, h.get('content-transfer-encoding')).replace(/\r\n/g, '\n');
    if (t.startsWith('text/html')) out.html = text;
    else if (t.startsWith('text/plain')) out.text = text;
  };
  if (!boundary) {
    take(headers, body);
    return out;
  }
  for (const chunk of body.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const p = splitPart(chunk.replace(/^\r\n/, '').replace(/\r\n$/, ''));
    take(p.headers, p.body);
  }
  return out;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const user = 'bot@example.com';
  const password = 'smtp-S3cret-pw';
  const mails: ReceivedMail[] = [];
  const refuse = new Set<string>();
  let defer = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === password) return cb(null, { user });
      cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (refuse.has(address.address))
        return cb(
          Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), {
            responseCode: 550,
          }),
        );
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (defer > 0) {
          defer--;
          return cb(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        mails.push({
          envelopeFrom: from ? from.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMail(raw),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    user,
    password,
    mails,
    refuse,
    deferNext: (n) => void (defer += n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
