/*
 * DORA metrics benchmark: `GET /metrics/dora`'s one SQL statement
 * (DatabaseDoraMetricsStore.figures, this window and the one before) on a
 * ledger of 1,000,000 deploy rows (SLED_BENCH_QUICK=1: 100,000), one a
 * second back from now (about 11.6 days), every service (svc-0 … svc-299)
 * in each of `development`, `staging` and `production`, 1 in 10 failed,
 * 1 in 50 a rollback. Their artifact `a` is registered with a merge time,
 * so every success is measured for lead time (and probes the index for an
 * earlier success of its artifact).
 *
 * `benchDora()` is hooked into test/bench/run.ts: `SLED_BENCH_ONLY=dora yarn bench`.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { createDeployStores } from '../../plugins/sled-backend/src/database/createDeployStores';
import { DatabaseDoraMetricsStore } from '../../plugins/sled-backend/src/metrics/DatabaseDoraMetricsStore';
import {
  DoraScope,
  DoraWindow,
} from '../../plugins/sled-backend/src/metrics/DoraMetricsStore';
import {
  BenchRow,
  HISTORY_ROWS,
  insertDeployHistory,
  ms,
  percentile,
  progress,
} from './backend';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function benchDora(
  database: string,
  knex: Knex,
  client: string,
): Promise<BenchRow[]> {
  const db = { getClient: async () => knex } as DatabaseService;
  await createDeployStores({ database: db });
  const loadSeconds = await insertDeployHistory(
    knex,
    client,
    HISTORY_ROWS,
    ['development', 'staging', 'production'],
    { everyServiceInEach: true },
  );
  await knex('sled_artifacts').insert({
    id: 'a',
    entity_ref: 'component:default/svc-0',
    version: '1.0.0',
    spec: JSON.stringify({
      entityRef: 'component:default/svc-0',
      version: '1.0.0',
      commitSha: 'abcdef1',
      mergeRequest: {
        url: 'https://git.example/mr/1',
        title: 'bench',
        mergedAt: new Date(Date.now() - 20 * DAY_MS).toISOString(),
      },
    }),
    content_hash: 'a',
    created_at: new Date(Date.now() - 20 * DAY_MS).toISOString(),
  });
  // 1 in 50 a rollback of the deploy before it on its target
  await knex.raw(
    `UPDATE sled_deploys SET rollback_of = 'rolled-back' WHERE seq % 50 = 7`,
  );
  await knex.raw(client === 'pg' ? 'ANALYZE sled_deploys' : 'ANALYZE');

  const metrics = await DatabaseDoraMetricsStore.create({ database: db });
  const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000);
  const windows: DoraWindow[] = [
    { from: new Date(to.getTime() - 30 * DAY_MS), to },
    {
      from: new Date(to.getTime() - 60 * DAY_MS),
      to: new Date(to.getTime() - 30 * DAY_MS),
    },
  ];
  const services = (n: number, offset = 0) =>
    Array.from(
      { length: n },
      (_, i) => `component:default/svc-${(offset + i * 7) % 300}`,
    );
  const rows: BenchRow[] = [];
  const measure = async (
    label: string,
    runs: number,
    scope: (i: number) => DoraScope,
    target: { ms: number; text: string },
  ) => {
    progress(`${database}: DORA ${label}…`);
    const timings: number[] = [];
    let changes = 0;
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const [current] = await metrics.figures(scope(i), windows, {
        rollbackWithinMs: 60 * 60 * 1000,
      });
      timings.push(Number(process.hrtime.bigint() - started) / 1e6);
      changes = current.changes;
    }
    const p95 = percentile(timings, 95);
    rows.push({
      metric: `GET /metrics/dora, ${label} (${changes.toLocaleString(
        'en-US',
      )} changes in 30 days), p95`,
      database,
      value: `${ms(p95)} (p50 ${ms(percentile(timings, 50))}; ${runs} runs${
        rows.length ? '' : `; load ${loadSeconds.toFixed(0)} s`
      })`,
      target: target.text,
      ok: p95 < target.ms ? 'yes' : 'NO',
    });
  };
  await measure(
    'one service in production',
    50,
    i => ({ entityRefs: services(1, i), environment: 'production' }),
    { ms: 100, text: '< 100 ms' },
  );
  await measure(
    'a deploy group of 10 services in production',
    20,
    i => ({ entityRefs: services(10, i), environment: 'production' }),
    { ms: 500, text: '< 500 ms' },
  );
  await measure(
    'every service in production',
    5,
    () => ({ environment: 'production' }),
    { ms: 5000, text: '< 5 s' },
  );
  await measure('every service, every environment', 3, () => ({}), {
    ms: 15000,
    text: '< 15 s',
  });
  return rows;
}
