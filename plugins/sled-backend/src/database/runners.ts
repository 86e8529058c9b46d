import { Knex } from 'knex';
import { isPostgres } from './dialect';
import { TakeOverOptions } from './RunnerStore';

// where the service layer imports it from
export type { TakeOverOptions } from './RunnerStore';

/**
 * Records that the backend `runner` is alive. On PostgreSQL by the database's
 * clock, which every replica reads the same; SQLite has one process.
 */
export async function heartbeat(db: Knex, runner: string): Promise<void> {
  await db('sled_runners')
    .insert({
      id: runner,
      heartbeat_at: isPostgres(db) ? db.fn.now() : new Date().toISOString(),
    })
    .onConflict('id')
    .merge(['heartbeat_at']);
}

/** Restricts `query` to runners whose last heartbeat is `op` `ms` ago. */
function heartbeatAgo(
  db: Knex,
  query: Knex.QueryBuilder,
  op: '>=' | '<',
  ms: number,
) {
  if (isPostgres(db)) {
    return query.whereRaw(
      `heartbeat_at ${op} now() - (? * interval '1 millisecond')`,
      [ms],
    );
  }
  return query.where(
    'heartbeat_at',
    op,
    new Date(Date.now() - ms).toISOString(),
  );
}

function aliveRunners(db: Knex, timeoutMs: number) {
  return heartbeatAgo(db, db('sled_runners').select('id'), '>=', timeoutMs);
}

/**
 * Forgets backends silent for ten timeouts (crashed processes: each start is
 * a new runner). Harmless for one that was only slow: its next heartbeat
 * writes its row again, and a backend gone that long is taken over anyway.
 */
export async function forgetSilentRunners(
  db: Knex,
  timeoutMs: number,
): Promise<void> {
  await heartbeatAgo(db, db('sled_runners'), '<', 10 * timeoutMs).delete();
}

/**
 * Makes `runner` the runner of the running rows of `table` (deploys or
 * releases) whose backend is gone, oldest first, and returns them. Never its
 * own rows. Each row changes hands with a compare-and-set on its previous
 * runner, so of two backends taking over at once only one gets it.
 */
export async function takeOverRunning(
  db: Knex,
  table: 'sled_deploys' | 'sled_releases',
  runner: string,
  options: TakeOverOptions,
): Promise<Record<string, any>[]> {
  const candidates: Array<{ id: string; runner: string | null }> = await db(
    table,
  )
    .where({ status: 'running' })
    .andWhere(q => {
      q.where(gone =>
        gone
          .whereNotIn('runner', aliveRunners(db, options.timeoutMs))
          .andWhere('runner', '<>', runner),
      );
      if (options.unowned) q.orWhereNull('runner');
    })
    .orderBy('seq', 'asc')
    .select('id', 'runner');
  const taken = [];
  for (const candidate of candidates) {
    const update = db(table).where({ id: candidate.id, status: 'running' });
    if (candidate.runner === null) update.whereNull('runner');
    else update.where('runner', candidate.runner);
    const [row] = await update.update({ runner }).returning('*');
    if (row) taken.push(row);
  }
  return taken;
}
