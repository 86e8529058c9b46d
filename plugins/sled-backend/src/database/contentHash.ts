import { createHash } from 'crypto';

type Row = Record<string, any>;

/** Stable JSON: the same content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .filter(k => (value as Row)[k] !== undefined)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonical((value as Row)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The SHA-256 of a value's stable JSON: what an Idempotency-Key's request, an
 * artifact's content or a Job's spec is compared by.
 */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('hex');
}
