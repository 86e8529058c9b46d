/** A timestamp column as ISO 8601 (PostgreSQL returns Dates, SQLite strings). */
export function iso(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString();
  return new Date(value as string).toISOString();
}

/** A nullable column as an optional field. */
export const orUndefined = <T>(value: T | null): T | undefined =>
  value === null ? undefined : value;
