/**
 * Reads a request body as a flat object of fields, from JSON or an HTML/OAuth form, with a size
 * limit enforced while streaming (a missing or false Content-Length cannot get around it).
 */
import 'server-only';
import { AppError } from '../errors';
import { MAX_BODY_BYTES } from '../preload/shared.cjs';
import { requestGuardActive } from './client-info';

export { MAX_BODY_BYTES };

type Fields = Record<string, unknown>;

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Fatal: a body that is not UTF-8 is refused, not repaired. One decoder serves every request. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError('invalid_request', 'the body is not valid UTF-8');
  }
}

async function readLimited(request: Request, limit: number): Promise<string> {
  const length = request.headers.get('content-length');
  const declared = Number(length ?? '0');
  if (declared > limit) throw new AppError('payload_too_large', `the body must be at most ${limit} bytes`);
  if (!request.body) return '';
  // With the guard in this process, Node's HTTP parser holds a body to its declared length, which
  // is within the limit: read it whole. Otherwise count every chunk as it streams in.
  if (length !== null && requestGuardActive()) return decode(new Uint8Array(await request.arrayBuffer()));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError('payload_too_large', `the body must be at most ${limit} bytes`);
    }
    chunks.push(value);
  }
  return decode(Buffer.concat(chunks));
}

function parseForm(text: string): Fields {
  // No prototype: a field named "__proto__" or "constructor" is just a field (and ignored if unknown).
  const fields: Fields = Object.create(null) as Fields;
  for (const [key, value] of new URLSearchParams(text)) {
    // RFC 6749 §3.2: request parameters must not be included more than once.
    if (Object.hasOwn(fields, key)) {
      throw new AppError('invalid_request', `the "${key}" parameter appears more than once`);
    }
    fields[key] = value;
  }
  return fields;
}

/**
 * Strings that are not well-formed Unicode (a lone surrogate such as "\ud800", legal in JSON) can
 * not be stored or compared reliably: the database driver cannot encode them. Refuse them here,
 * where input enters, with a 400 rather than letting them reach a query.
 */
export function assertWellFormed(value: unknown, where = 'the body'): void {
  if (typeof value === 'string') {
    if (!isWellFormedString(value)) {
      throw new AppError('invalid_request', `${where} contains text that is not valid Unicode`);
    }
    // PostgreSQL cannot store a NUL character in text; no field of ours needs one.
    if (value.includes('\u0000')) throw new AppError('invalid_request', `${where} contains a NUL character`);
  } else if (Array.isArray(value)) {
    for (const item of value) assertWellFormed(item, where);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      assertWellFormed(key, where);
      assertWellFormed(item, where);
    }
  }
}

function isWellFormedString(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function parseJson(text: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('invalid_request', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError('invalid_request', 'the body must be a JSON object');
  }
  return value as Fields;
}

export type BodyFormat = 'json' | 'form';

/** Parses the body; 415 for other content types, 413 when too large, 400 when malformed. */
export async function readFields(
  request: Request,
  options: { accept?: BodyFormat[]; limit?: number; optional?: boolean } = {},
): Promise<Fields> {
  const accept = options.accept ?? ['json', 'form'];
  const type = mediaType(request);
  const limit = options.limit ?? MAX_BODY_BYTES;
  if (type === '' && options.optional && (await readLimited(request, limit)).trim() === '') return {};
  const format: BodyFormat | undefined =
    type === 'application/json' ? 'json' : type === 'application/x-www-form-urlencoded' ? 'form' : undefined;
  if (!format || !accept.includes(format)) {
    const names = accept.map((f) => (f === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'));
    throw new AppError('unsupported_media_type', `the body must be ${names.join(' or ')}`);
  }
  const text = await readLimited(request, limit);
  if (text.trim() === '' && options.optional) return {};
  const fields = format === 'json' ? parseJson(text) : parseForm(text);
  assertWellFormed(fields);
  return fields;
}
