/**
 * The browser specs' SMTP server (tests/helpers/smtp-server.ts) as its own process, started by
 * playwright.config.ts before the app: SMTP on E2E_SMTP_PORT, and what arrived as JSON on
 * E2E_MAIL_PORT (GET /messages), for the specs to read the links they follow.
 */
import { createServer } from 'node:http';
import { startSmtp } from '../tests/helpers/smtp-server';

const smtpPort = Number(process.env.E2E_SMTP_PORT);
const httpPort = Number(process.env.E2E_MAIL_PORT);
if (!smtpPort || !httpPort) {
  console.error('E2E_SMTP_PORT and E2E_MAIL_PORT are required');
  process.exit(2);
}
void startSmtp({ port: smtpPort }).then((smtp) => {
  const inbox = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(request.url === '/messages' ? JSON.stringify(smtp.inbox) : '[]');
  });
  inbox.listen(httpPort, '127.0.0.1', () => console.log(`test SMTP server on ${smtpPort}, its inbox on ${httpPort}`));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      inbox.close();
      void smtp.stop().finally(() => process.exit(0));
    });
  }
});
