/**
 * Building blocks of the REST API's property-based fuzz suite
 * (src/service/fuzz.test.ts): arbitraries for valid and invalid field
 * values, one way to send a request, and the row counts of every SLeD table.
 */
import fc from 'fast-check';
import { Server } from 'http';
import { Knex } from 'knex';
import request from 'supertest';

// ------------------------------------------------------------------ requests

/** One request to the SLeD API, as a plain value fast-check can print. */
/** Runs per property: SLED_FUZZ_RUNS (default 100). */
export const FUZZ_RUNS = Math.max(1, Number(process.env.SLED_FUZZ_RUNS) || 100);
const SEED = process.env.SLED_FUZZ_SEED
  ? Number(process.env.SLED_FUZZ_SEED)
  : undefined;

/** fast-check's parameters: FUZZ_RUNS runs, and SLED_FUZZ_SEED replays a seed it printed. */
export const fuzzParameters = (
  numRuns = FUZZ_RUNS,
): fc.Parameters<unknown> => ({
  numRuns,
  ...(SEED === undefined ? {} : { seed: SEED }),
});

export interface ApiRequest {
  /** the route it exercises, e.g. 'POST /deploys/:id/cancel' */
  route: string;
  method: 'get' | 'post' | 'delete';
  /** under /api/sled, already percent-encoded */
  path: string;
  /** sent in this order, each key and value percent-encoded */
  query?: Array<[string, string]>;
  /** serialized with JSON.stringify (own `__proto__` keys included) */
  body?: unknown;
  /** sent as is, instead of `body` */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** the Authorization header */
  auth: string;
}

export interface ApiResponse {
  status: number;
  /** the error message of Backstage's error body, if any */
  message?: string;
  body: any;
}

const encode = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');

/** A path segment, percent-encoded (dots too, so `.` and `..` stay literal). */
export const segment = encode;

export function urlOf(req: Pick<ApiRequest, 'path' | 'query'>): string {
  const query = (req.query ?? [])
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join('&');
  return `/api/sled${req.path}${query ? `?${query}` : ''}`;
}

export async function send(
  server: Server,
  req: ApiRequest,
): Promise<ApiResponse> {
  let test = request(server)
    [req.method](urlOf(req))
    .set('Authorization', req.auth);
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    test = test.set(name, value);
  }
  const raw =
    req.rawBody ??
    (req.body === undefined ? undefined : JSON.stringify(req.body));
  if (raw !== undefined) {
    test = test
      .set('Content-Type', req.contentType ?? 'application/json')
      .send(raw);
  }
  const res = await test;
  const message = res.body?.error?.message;
  return {
    status: res.status,
    message: typeof message === 'string' ? message : undefined,
    body: res.body,
  };
}

// ---------------------------------------------------------------- row counts

/** The tables of the plugin: every table whose name starts with `sled_`. */
export async function sledTables(knex: Knex): Promise<string[]> {
  const client = String(knex.client.config.client);
  const rows: Array<{ name: string }> = client.includes('sqlite')
    ? await knex('sqlite_master').select('name').where('type', 'table')
    : await knex('information_schema.tables')
        .select({ name: 'table_name' })
        .where('table_schema', knex.raw('current_schema()'));
  return rows
    .map(r => r.name)
    .filter(name => name.startsWith('sled_'))
    .sort();
}

/** Counts the rows of `tables` in one statement. */
export function rowCounter(
  knex: Knex,
  tables: string[],
): () => Promise<Record<string, number>> {
  for (const t of tables) {
    if (!/^[a-z0-9_]+$/.test(t)) throw new Error(`odd table name ${t}`);
  }
  const sql = `select ${tables
    .map((t, i) => `(select count(*) from ${t}) as c${i}`)
    .join(', ')}`;
  return async () => {
    const result = await knex.raw(sql);
    const row = Array.isArray(result) ? result[0] : result.rows[0];
    return Object.fromEntries(tables.map((t, i) => [t, Number(row[`c${i}`])]));
  };
}

// ---------------------------------------------------------------- characters

/**
 * Control characters and bidi overrides, none of which belongs in a text
 * field: C0 but tab, newline and carriage return, DEL, C1, the bidi
 * embeddings/overrides U+202A–U+202E and isolates U+2066–U+2069. NUL, ESC and
 * RIGHT-TO-LEFT OVERRIDE come up most often.
 */
export const controlChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\u0000', '\u001b', '\u202e') },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0, max: 0x1f })
      .filter(c => c !== 0x09 && c !== 0x0a && c !== 0x0d)
      .map(c => String.fromCharCode(c)),
  },
  { weight: 1, arbitrary: fc.constant('\u007f') },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 0x80, max: 0x9f })
      .map(c => String.fromCharCode(c)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ),
  },
);

/** What valid text never holds: every Cc character, bidi controls, zero-width characters and line separators. */
const FORBIDDEN =
  /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/u;

/**
 * Text a text field accepts: printable graphemes, at most `max` UTF-16 units,
 * not blank, and no control characters.
 */
export function safeText(max: number, minLength = 1): fc.Arbitrary<string> {
  return fc
    .string({ unit: 'grapheme', minLength, maxLength: Math.min(max, 40) })
    .filter(
      s =>
        s.trim().length >= minLength &&
        s.length <= max &&
        s.trim() === s &&
        !FORBIDDEN.test(s),
    );
}

/** `text` with one control character put somewhere in it. */
export function withControlChar(
  text: fc.Arbitrary<string>,
): fc.Arbitrary<string> {
  return fc
    .tuple(
      text,
      controlChar,
      fc.nat(),
      fc.constantFrom('start', 'middle', 'end'),
    )
    .map(([s, c, n, where]) => {
      // VT and FF are white space to String.prototype.trim, which text fields
      // apply: those go strictly inside (or, in a one-character text, NUL instead)
      const trimmed = /^\s$/.test(c);
      if (trimmed && s.length < 2) return `${s}\u0000`;
      if (!trimmed && where === 'start') return c + s;
      if (!trimmed && where === 'end') return s + c;
      const i = s.length < 2 ? s.length : 1 + (n % (s.length - 1));
      return s.slice(0, i) + c + s.slice(i);
    });
}

/** A non-blank string of `min`..`max` characters with no surrounding space. */
export function longText(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min, max }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }),
    )
    .map(([n, s]) => {
      const unit = s.replace(/\s/g, '') || 'x';
      return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
    });
}

// -------------------------------------------------------------------- values

const UUID_SHAPE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Strings that are not a UUID in any version, built to be close to one. */
export const badUuid: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
    fc
      .tuple(fc.uuid(), fc.nat(35), fc.constantFrom('drop', 'add', 'swap'))
      .map(([u, i, how]) => {
        if (how === 'drop') return u.slice(0, i) + u.slice(i + 1);
        if (how === 'add') return `${u.slice(0, i)}a${u.slice(i)}`;
        return `${u.slice(0, i)}g${u.slice(i + 1)}`;
      }),
    fc
      .tuple(
        fc.uuid(),
        fc.constantFrom('{%s}', 'urn:uuid:%s', ' %s', '%s ', '%s%s'),
      )
      .map(([u, form]) => form.replace(/%s/g, u)),
    fc.uuid().map(u => u.replace(/-/g, '')),
    fc.constantFrom('null', 'undefined', '0', '-1', '[]', '{}', 'not-a-uuid'),
  )
  .filter(s => s.length > 0 && !UUID_SHAPE.test(s));

/** Dates as the API writes them, with Z or a numeric offset. */
export function isoDate(min: Date, max: Date): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.date({ min, max, noInvalidDate: true }),
      fc.constantFrom('Z', '+00:00', '+02:00', '-05:30'),
    )
    .map(([d, offset]) => {
      if (offset === 'Z') return d.toISOString();
      const sign = offset[0] === '+' ? 1 : -1;
      const minutes =
        sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
      const local = new Date(d.getTime() + minutes * 60_000).toISOString();
      return local.replace('Z', offset);
    });
}

const ISO_SHAPE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** Strings that are no ISO 8601 date-time with an offset. */
export const badIsoDate: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
    fc.constantFrom(
      'tomorrow',
      'now',
      '2030-01-01',
      '2030-01-01 00:00:00Z',
      '2030-01-01T00:00:00',
      '2030-13-01T00:00:00Z',
      '2030-01-01T25:00:00Z',
      '01/02/2030',
      '1767225600',
      '',
    ),
    fc
      .date({
        min: new Date(0),
        max: new Date(4102444800000),
        noInvalidDate: true,
      })
      .map(d => d.toString()),
  )
  .filter(s => !ISO_SHAPE.test(s) || /-13-|T25:/.test(s));

/** http(s) URLs a field taking a link accepts. */
export const goodUrl: fc.Arbitrary<string> = fc
  .webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true })
  .filter(u => u.length <= 2048);

/**
 * Links that are no http(s) URL: other schemes (javascript:, data:, file:
 * …), things that are not URLs at all, http(s) URLs with control characters,
 * and URLs over 2048 characters.
 */
export const badUrl: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      // [scheme, rest]: kept apart so that no literal is a script URL
      fc.constantFrom(
        ['javascript', 'alert(1)'],
        ['JaVaScRiPt', 'alert(document.cookie)'],
        [' javascript', 'alert(1)'],
        ['javascript', '//example.com/%0Aalert(1)'],
        ['data', 'text/html,<script>alert(1)</script>'],
        ['data', 'text/plain;base64,SGVsbG8='],
        ['file', '///etc/passwd'],
        ['file', '//host/share/x'],
        ['ftp', '//example.com/file'],
        ['mailto', 'someone@example.com'],
        ['vbscript', 'msgbox(1)'],
        ['ws', '//example.com/socket'],
        ['gopher', '//example.com/'],
        ['blob', 'https://example.com/uuid'],
        ['chrome', '//settings'],
        ['about', 'blank'],
        ['ssh', '//git@example.com/repo'],
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 10 }),
    )
    .map(
      ([[scheme, rest], tail]) =>
        `${scheme}:${rest}${encodeURIComponent(tail)}`,
    ),
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z0-9+.-]{0,10}$/),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
    )
    .filter(([scheme]) => scheme !== 'http' && scheme !== 'https')
    .map(([scheme, rest]) => `${scheme}:${encodeURIComponent(rest)}`),
  fc.constantFrom(
    'not a url',
    'example.com/path',
    '//example.com/path',
    '/relative/path',
    'http://',
    'https://',
    'http:// space.example',
    '',
  ),
  fc
    .tuple(goodUrl, controlChar)
    .map(([u, c]) => `${u}${u.includes('?') ? '&' : '?'}q=${c}`),
  fc.tuple(goodUrl, controlChar).map(([u, c]) => u.replace('://', `://a${c}`)),
  longText(2049, 4000).map(s => `https://example.com/${encodeURIComponent(s)}`),
);

/** A JSON value that is not a string. */
export const nonString = fc.jsonValue().filter(v => typeof v !== 'string');
/** A JSON value that is not a boolean. */
export const nonBoolean = fc.jsonValue().filter(v => typeof v !== 'boolean');
/** A JSON value that is not a (non-array) object. */
export const nonObject = fc
  .jsonValue()
  .filter(v => v === null || typeof v !== 'object' || Array.isArray(v));

/** Keys a schema does not know, prototype names first. */
export function unknownKey(
  known: readonly string[],
  options: { query?: boolean } = {},
): fc.Arbitrary<string> {
  // in a query string, `__proto__` never reaches the router (qs drops it) and
  // brackets make nested keys
  const special = [
    ...(options.query ? [] : ['__proto__']),
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
  ];
  return fc
    .oneof(
      fc.constantFrom(...special),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }),
    )
    .filter(
      k =>
        !known.includes(k) &&
        !(options.query && (k === '__proto__' || /[[\]]/.test(k))),
    );
}

/** Sets `key` as an own property, even `__proto__`. */
export function withKey<T extends object>(
  obj: T,
  key: string,
  value: unknown,
): T {
  const copy: any = { ...obj };
  Object.defineProperty(copy, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/** A copy of `obj` with the value at `path` replaced (`undefined`: removed). */
export function setAt(
  obj: unknown,
  path: readonly string[],
  value: unknown,
): any {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const current =
    obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as any) : {};
  const next = setAt(current[head], rest, value);
  if (next !== undefined) return withKey(current, head, next);
  const copy: any = { ...current };
  delete copy[head];
  return copy;
}
