import { Knex } from 'knex';

/** Which running rows a backend may take over. */
export interface TakeOverOptions {
  /** a backend with no heartbeat for this long is gone */
  timeoutMs: number;
  /**
   * also rows without a runner, written before runners were recorded: only at
   * start-up, as every start-up did before, never on the periodic pass, so a
   * replica of the previous version keeps what it follows during a rollout
   */
  unowned: boolean;
}

const isPostgres = (db: Knex) => db.client.config.client === 'pg';

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

function aliveRunners(db: Knex, timeoutMs: number) {
  const alive = db('sled_runners').select('id');
  if (isPostgres(db)) {
    return alive.whereRaw(
      `heartbeat_at >= now() - (? * interval '1 millisecond')`,
      [timeoutMs],
    );
  }
  return alive.where(
    'heartbeat_at',
    '>=',
    new Date(Date.now() - timeoutMs).toISOString(),
  );
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
