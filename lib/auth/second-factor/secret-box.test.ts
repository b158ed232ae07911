import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box';

const OLD = 'an old secret that signed tokens for a year';
const NEW = 'the new secret that replaced the old one now';
const key = new TextEncoder().encode('12345678901234567890');

describe('sealed TOTP secrets', () => {
  it('open to what was sealed, and never hold it in the clear', () => {
    const box = createSecretBox({ secret: NEW });
    const sealed = box.seal(key);
    expect(sealed).not.toContain(Buffer.from(key).toString('base64url'));
    expect(box.open(sealed)).toEqual(key);
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal(key)).not.toBe(sealed);
  });

  it('sealed under AUTH_SECRET still open after it becomes AUTH_SECRET_PREVIOUS', () => {
    const sealed = createSecretBox({ secret: OLD }).seal(key);
    expect(createSecretBox({ secret: NEW, previousSecret: OLD }).open(sealed)).toEqual(key);
    expect(createSecretBox({ secret: NEW }).open(sealed)).toBeNull();
  });

  it('refuse a value changed in any part, or moved under another key id', () => {
    const box = createSecretBox({ secret: NEW, previousSecret: OLD });
    const sealed = box.seal(key);
    const parts = sealed.split('.');
    for (let index = 2; index < parts.length; index++) {
      const changed = [...parts];
      const part = changed[index] ?? '';
      changed[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
      expect(box.open(changed.join('.'))).toBeNull();
    }
    const otherKid = createSecretBox({ secret: OLD }).seal(key).split('.')[1] ?? '';
    expect(box.open([parts[0], otherKid, ...parts.slice(2)].join('.'))).toBeNull();
    for (const junk of ['', 'v1', 'v2.a.b.c.d', 'not.sealed.at.all.really']) expect(box.open(junk)).toBeNull();
  });
});
