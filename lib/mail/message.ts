/**
 * What the app sends: plain text, and the same in simple HTML (escaped, no tracking pixel, no
 * remote image, no script). Each message is built from paragraphs and at most one call to action.
 */
import 'server-only';

export type MailKind = 'password_reset' | 'verify_email' | 'email_changed' | 'new_device';

export type OutgoingMail = {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: MailKind;
  userId: string | null;
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** A message of paragraphs, with an optional link people follow (shown in full in the text part). */
export function composeMail(input: {
  to: string;
  subject: string;
  kind: MailKind;
  userId: string | null;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
}): OutgoingMail {
  const { paragraphs, action, footer } = input;
  const text = [
    ...paragraphs,
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...(footer ? [`--\n${footer}`] : []),
  ].join('\n\n');
  const html = [
    '<!DOCTYPE html><html><body style="font-family:sans-serif;line-height:1.5;max-width:36em">',
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(action ? [`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`] : []),
    ...(footer ? [`<p style="color:#666;font-size:0.9em">${escapeHtml(footer)}</p>`] : []),
    '</body></html>',
  ].join('\n');
  return { to: input.to, subject: input.subject, text, html, kind: input.kind, userId: input.userId };
}
