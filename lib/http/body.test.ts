import { describe, expect, it } from 'vitest';
import { appErrorOf } from '@/tests/helpers/errors';
import { MAX_BODY_BYTES, readFields } from './body';

function request(body: BodyInit | null, contentType?: string, headers: Record<string, string> = {}): Request {
  return new Request('http://test/api', {
    method: 'POST',
    body,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await appErrorOf(promise)).code;
}

describe('readFields', () => {
  it('reads JSON objects and urlencoded forms', async () => {
    await expect(readFields(request('{"a":"1"}', 'application/json; charset=utf-8'))).resolves.toEqual({ a: '1' });
    await expect(readFields(request('a=1&b=x%20y', 'application/x-www-form-urlencoded'))).resolves.toEqual({
      a: '1',
      b: 'x y',
    });
  });

  it('answers 415 for other content types, and for a missing one', async () => {
    expect(await codeOf(readFields(request('a', 'text/plain')))).toBe('unsupported_media_type');
    expect(await codeOf(readFields(request('{"a":1}')))).toBe('unsupported_media_type');
    expect(await codeOf(readFields(request('{}', 'application/json'), { accept: ['form'] }))).toBe(
      'unsupported_media_type',
    );
  });

  it('answers 400 for malformed JSON, non-object JSON and invalid UTF-8', async () => {
    expect(await codeOf(readFields(request('{"a":', 'application/json')))).toBe('invalid_request');
    expect(await codeOf(readFields(request('[1,2]', 'application/json')))).toBe('invalid_request');
    expect(await codeOf(readFields(request('null', 'application/json')))).toBe('invalid_request');
    expect(await codeOf(readFields(request(new Uint8Array([0x7b, 0xff, 0x7d]), 'application/json')))).toBe(
      'invalid_request',
    );
  });

  it('answers 400 when a form repeats a parameter (RFC 6749 §3.2)', async () => {
    expect(await codeOf(readFields(request('a=1&a=2', 'application/x-www-form-urlencoded')))).toBe('invalid_request');
  });

  it('answers 413 for a body over the limit, whether or not Content-Length says so', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    expect(await codeOf(readFields(request(`{"a":"${big}"}`, 'application/json')))).toBe('payload_too_large');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(1024).fill(0x61));
        controller.close();
      },
    });
    expect(await codeOf(readFields(request(stream, 'application/json')))).toBe('payload_too_large');
  });

  it('accepts an empty body where the body is optional', async () => {
    await expect(readFields(request(null), { optional: true })).resolves.toEqual({});
    await expect(readFields(request('', 'application/json'), { optional: true })).resolves.toEqual({});
  });
});

describe('readFields on hostile input', () => {
  it('answers 400 for strings that are not well-formed Unicode, in values and in names', async () => {
    const loneSurrogates = ['{"username":"adm\\ud800in"}', '{"a":{"b":["\\udc00"]}}', '{"\\ud83d":"x"}'];
    for (const body of loneSurrogates) {
      expect(await codeOf(readFields(request(body, 'application/json')))).toBe('invalid_request');
    }
  });

  it('treats form fields named like Object.prototype members as ordinary fields', async () => {
    const names = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'];
    const form = names.map((name) => `${name}=x`).join('&') + '&username=alice';
    const fields = await readFields(request(form, 'application/x-www-form-urlencoded'));
    expect(fields.username).toBe('alice');
    for (const name of names) expect(Object.hasOwn(fields, name)).toBe(true);
    expect(Object.getPrototypeOf(fields)).toBeNull();
  });
});

describe('readFields on text a database cannot store', () => {
  it('answers 400 for a NUL character, in JSON and in forms', async () => {
    expect(await codeOf(readFields(request('{"username":"ad\\u0000min"}', 'application/json')))).toBe(
      'invalid_request',
    );
    expect(await codeOf(readFields(request('username=ad%00min', 'application/x-www-form-urlencoded')))).toBe(
      'invalid_request',
    );
  });
});
