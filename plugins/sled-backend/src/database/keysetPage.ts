import { InputError } from '@backstage/errors';
import { Page } from '@internal/plugin-sled-common';

type Row = Record<string, any>;

/** A page's cursor: the `seq` of its last row, opaque to clients. */
export function encodeCursor(seq: number | string): string {
  return Buffer.from(String(seq)).toString('base64url');
}

/** The `seq` a cursor names; a 400 for one this store never gave out. */
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const seq = Number(Buffer.from(cursor, 'base64url').toString());
  if (!Number.isSafeInteger(seq) || seq <= 0) {
    throw new InputError(`Invalid cursor: '${cursor}'`);
  }
  return seq;
}

/** The first `limit` of `rows` (one more was read to know whether more follow). */
export function page<T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
): Page<T> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  return {
    items,
    nextCursor: more ? encodeCursor(rows[limit - 1].seq) : undefined,
  };
}
