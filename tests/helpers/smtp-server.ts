/**
 * A real SMTP server for the tests: `smtp-server` (from the nodemailer project) on a loopback port,
 * every message parsed with `mailparser` into an inbox the tests read. No mock transport: the app
 * speaks SMTP to it exactly as to Postfix. It can be stopped and started again on the same port,
 * so a test can take the mail server away and give it back.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = { to: string; from: string; subject: string; text: string; html: string; messageId: string };

export type TestSmtp = {
  url: string;
  port: number;
  inbox: ReceivedMail[];
  /** Waits for a message `match` accepts (default 10 s); throws naming what arrived instead. */
  waitFor: (match: (mail: ReceivedMail) => boolean, timeoutMs?: number) => Promise<ReceivedMail>;
  /** The first link in a message's text whose path starts with `path`. */
  linkIn: (mail: ReceivedMail, path: string) => string;
  stop: () => Promise<void>;
  /** Listens again on the same port. */
  start: () => Promise<void>;
};

export async function startSmtp(options: { port?: number } = {}): Promise<TestSmtp> {
  const inbox: ReceivedMail[] = [];
  let server: SMTPServer;
  let port = options.port ?? 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = new SMTPServer({
        // Loopback, plain SMTP: no TLS to negotiate, no login to give.
        disabledCommands: ['STARTTLS', 'AUTH'],
        authOptional: true,
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream)
            .then((parsed) => {
              const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
              inbox.push({
                to,
                from: parsed.from?.text ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                messageId: parsed.messageId ?? '',
              });
              callback();
            })
            .catch((error: Error) => callback(error));
        },
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  const url = () => `smtp://127.0.0.1:${port}`;
  return {
    get url() {
      return url();
    },
    get port() {
      return port;
    },
    inbox,
    async waitFor(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = inbox.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no such mail arrived; the inbox holds: ${inbox.map((m) => `${m.to}: ${m.subject}`).join('; ')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    linkIn(mail, path) {
      const link = mail.text
        .match(/https?:\/\/\S+/g)
        ?.find((candidate) => new URL(candidate).pathname.startsWith(path));
      if (!link) throw new Error(`no ${path} link in: ${mail.text}`);
      return link;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    start: listen,
  };
}
