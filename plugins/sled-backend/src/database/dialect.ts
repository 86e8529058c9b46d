import { Knex } from 'knex';

/** PostgreSQL, as against SQLite (the two engines SLeD runs on). */
export const isPostgres = (db: Knex) => db.client.config.client === 'pg';

/**
 * The database's clock when the statement runs, but not before the row's
 * own earlier stamps. Stamped in SQL, a deploy claimed right after its
 * predecessor finished never starts before that one finished: a stamp taken
 * in JavaScript would be as old as the wait for a pooled connection, and
 * replicas' clocks differ.
 */
export function clockNotBefore(db: Knex, ...columns: string[]): Knex.Raw {
  const placeholders = columns.map(() => '??').join(', ');
  const earlier =
    columns.length > 1 ? `coalesce(${placeholders})` : placeholders;
  return isPostgres(db)
    ? db.raw(`greatest(clock_timestamp(), ${earlier})`, columns)
    : db.raw(`max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ${earlier})`, columns);
}
