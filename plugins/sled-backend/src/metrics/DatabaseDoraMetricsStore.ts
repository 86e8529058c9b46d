import { DatabaseService } from '@backstage/backend-plugin-api';
import { DoraDuration, DoraFigures } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { isPostgres } from '../database/dialect';
import { applyTargetFilter } from '../database/targetFilter';
import { DoraMetricsStore, DoraScope, DoraWindow } from './DoraMetricsStore';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One row of the query's answer: a measure of one window. */
interface MeasureRow {
  win: number | string;
  measure: 'changes' | 'lead' | 'restore';
  /** changes: count of changes; durations: how many */
  a: number | string | null;
  /** changes: failures; durations: mean seconds */
  b: number | string | null;
  /** changes: deployments; durations: median seconds */
  c: number | string | null;
}

/** to the millisecond (SQLite's julianday is not exact beyond it) */
const round = (value: number) => Math.round(value * 1000) / 1000;

const num = (value: number | string | null) =>
  value === null ? undefined : Number(value);

/**
 * {@link DoraMetricsStore} in one SQL statement on SQLite and PostgreSQL.
 * It reads the ledger once, from the earliest window's start on (a failure's
 * restore and a change's rollback come after it), orders each target's
 * deploys by when they finished, and takes every figure from that pass:
 * window functions find each deploy's next success and next rollback, so the
 * cost grows with the rows read, not with their square. Reads the tables of
 * the deploy store's migrations.
 */
export class DatabaseDoraMetricsStore implements DoraMetricsStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseDoraMetricsStore> {
    return new DatabaseDoraMetricsStore(await options.database.getClient());
  }

  private constructor(private readonly db: Knex) {}

  async figures(
    scope: DoraScope,
    windows: DoraWindow[],
    options: { rollbackWithinMs: number },
  ): Promise<DoraFigures[]> {
    if (windows.length === 0) return [];
    const db = this.db;
    const pg = isPostgres(db);
    /** seconds from `b` to `a`, two timestamps (ISO text on SQLite) */
    const seconds = (a: string, b: string) =>
      pg
        ? `EXTRACT(EPOCH FROM (${a} - ${b}))`
        : `((julianday(${a}) - julianday(${b})) * 86400.0)`;
    const mergedAt = pg
      ? `(a.spec::jsonb #>> '{mergeRequest,mergedAt}')::timestamptz`
      : `json_extract(a.spec, '$.mergeRequest.mergedAt')`;
    const iso = (d: Date) => d.toISOString();
    const earliest = new Date(Math.min(...windows.map(w => w.from.getTime())));

    // every deploy that ended on a target in scope since the earliest window
    const ledger = db('sled_deploys as d')
      .leftJoin('sled_releases as rr', 'rr.id', 'd.release_id')
      .where('d.dry_run', false)
      .whereIn('d.status', ['succeeded', 'failed', 'lost'])
      // created_at and finished_at are ISO text on SQLite: compared as text
      .where('d.finished_at', '>=', iso(earliest))
      .select(
        'd.seq',
        'd.id',
        'd.entity_ref',
        'd.environment',
        'd.artifact_id',
        'd.status',
        'd.created_at',
        'd.finished_at',
        'd.rollback_of',
        'd.release_id',
        'rr.rollback_of as rolls_back_release',
        db.raw(
          'CASE WHEN d.rollback_of IS NOT NULL OR rr.rollback_of IS NOT NULL THEN 1 ELSE 0 END AS is_rollback',
        ),
      );
    if (scope.entityRefs) ledger.whereIn('d.entity_ref', scope.entityRefs);
    if (scope.ownerRef) ledger.where('d.owner_ref', scope.ownerRef);
    if (scope.environment) ledger.where('d.environment', scope.environment);
    if (scope.filter) {
      applyTargetFilter(ledger, scope.filter, false, [], {
        entity_ref: 'd.entity_ref',
        environment: 'd.environment',
        owner_ref: 'd.owner_ref',
      });
    }

    // which window each change finished in (none: outside every window)
    const windowOf = `CASE ${windows
      .map((_, i) => `WHEN s.finished_at >= ? AND s.finished_at < ? THEN ${i}`)
      .join(' ')} END`;
    const windowBindings = windows.flatMap(w => [iso(w.from), iso(w.to)]);
    // the rows after each one on its target, as a frame that only grows
    // (newest first, up to the row before): MIN has no inverse, so a frame
    // whose start moves would be summed again for every row
    const following =
      'OVER (PARTITION BY entity_ref, environment ORDER BY finished_at DESC, seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)';
    const median = (table: string) =>
      `avg(CASE WHEN rn IN ((total + 1) / 2, (total + 2) / 2) THEN seconds END) AS c FROM ${table} GROUP BY win`;

    const rows: MeasureRow[] = await db
      .with('ledger', ledger)
      .with(
        'sequenced',
        db.raw(
          `SELECT l.*,
            MIN(CASE WHEN status = 'succeeded' THEN finished_at END) ${following} AS next_success_at,
            MIN(CASE WHEN is_rollback = 1 THEN created_at END) ${following} AS next_rollback_at
          FROM ledger l`,
        ),
      )
      .with(
        'rolled_back',
        db.raw(
          `SELECT rollback_of AS id FROM ledger WHERE rollback_of IS NOT NULL
          UNION
          SELECT c.id FROM ledger r
            JOIN ledger c ON c.release_id = r.rolls_back_release
              AND c.entity_ref = r.entity_ref AND c.environment = r.environment
          WHERE r.rolls_back_release IS NOT NULL`,
        ),
      )
      .with(
        'changes',
        db.raw(
          `SELECT * FROM (
            SELECT ${windowOf} AS win, s.seq, s.entity_ref, s.environment,
              s.artifact_id, s.status, s.finished_at, s.next_success_at,
              CASE WHEN s.status <> 'succeeded' OR rb.id IS NOT NULL
                OR ${seconds(
                  's.next_rollback_at',
                  's.finished_at',
                )} * 1000 <= ? THEN 1 ELSE 0 END AS failed
            FROM sequenced s LEFT JOIN rolled_back rb ON rb.id = s.id
            WHERE s.is_rollback = 0
          ) w WHERE win IS NOT NULL`,
          [...windowBindings, options.rollbackWithinMs],
        ),
      )
      .with(
        'lead',
        db.raw(
          `SELECT c.win, ${seconds('c.finished_at', mergedAt)} AS seconds
          FROM changes c JOIN sled_artifacts a ON a.id = c.artifact_id
          WHERE c.status = 'succeeded' AND ${mergedAt} IS NOT NULL
            AND NOT EXISTS (
              SELECT 1 FROM sled_deploys e
              WHERE e.entity_ref = c.entity_ref AND e.environment = c.environment
                AND e.artifact_id = c.artifact_id AND e.seq < c.seq
                AND e.status = 'succeeded' AND e.dry_run = ?
            )`,
          [false],
        ),
      )
      .with(
        'restore',
        db.raw(
          `SELECT win, ${seconds('next_success_at', 'finished_at')} AS seconds
          FROM changes WHERE failed = 1 AND next_success_at IS NOT NULL`,
        ),
      )
      .with(
        'lead_ranked',
        db.raw(
          'SELECT win, seconds, ROW_NUMBER() OVER (PARTITION BY win ORDER BY seconds) AS rn, COUNT(*) OVER (PARTITION BY win) AS total FROM lead',
        ),
      )
      .with(
        'restore_ranked',
        db.raw(
          'SELECT win, seconds, ROW_NUMBER() OVER (PARTITION BY win ORDER BY seconds) AS rn, COUNT(*) OVER (PARTITION BY win) AS total FROM restore',
        ),
      )
      .select('*')
      .from(
        db.raw(
          `(
            SELECT win, 'changes' AS measure, count(*) AS a, sum(failed) AS b,
              sum(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS c
            FROM changes GROUP BY win
            UNION ALL
            SELECT win, 'lead' AS measure, count(*) AS a, avg(seconds) AS b, ${median(
              'lead_ranked',
            )}
            UNION ALL
            SELECT win, 'restore' AS measure, count(*) AS a, avg(seconds) AS b, ${median(
              'restore_ranked',
            )}
          ) AS measures`,
        ),
      );

    return windows.map((window, i) => {
      const of = (measure: MeasureRow['measure']) =>
        rows.find(r => Number(r.win) === i && r.measure === measure);
      const duration = (measure: 'lead' | 'restore'): DoraDuration => {
        const row = of(measure);
        if (!row || !Number(row.a)) return { count: 0 };
        return {
          count: Number(row.a),
          medianSeconds: round(num(row.c)!),
          meanSeconds: round(num(row.b)!),
        };
      };
      const counts = of('changes');
      const changes = Number(counts?.a ?? 0);
      const failures = Number(counts?.b ?? 0);
      const deployments = Number(counts?.c ?? 0);
      const days = (window.to.getTime() - window.from.getTime()) / DAY_MS;
      return {
        from: iso(window.from),
        to: iso(window.to),
        deployments,
        deploymentsPerDay: round(deployments / days),
        changes,
        failures,
        ...(changes ? { changeFailureRate: round(failures / changes) } : {}),
        leadTime: duration('lead'),
        timeToRestore: duration('restore'),
      };
    });
  }
}
