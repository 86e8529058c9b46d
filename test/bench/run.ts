/*
 * SLeD benchmarks: `yarn bench` (or ./scripts/bench, which also starts PostgreSQL).
 * Prints one table; figures go to the README. Targets are from SLED.md.
 *
 *   SLED_BENCH_QUICK=1             shorter runs, 100,000 history rows
 *   SLED_BENCH_ONLY=a,b            only these sections: controlPlane, busy, throughput,
 *                                  history, collator, kubernetes, release, gates, dora
 *   SLED_BENCH_RELEASE_PARALLELISM release parallelisms, comma-separated (default 25,100)
 *   SLED_BENCH_DB=sqlite|pg        one database only
 *   SLED_BENCH_CPU_PROFILE=<dir>   CPU profile of the backend's process during the Kubernetes
 *                                  throughput run, and of the gates section's evaluations
 *                                  and POST /deploys loop (summary: test/bench/profileSummary.ts)
 *
 * The Kubernetes sections run the fake API server in a child process, and the throughput
 * rows their 100 clients in another, so the backend's process only serves.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { DatabaseDeployStore } from '../../plugins/sled-backend/src/database/DatabaseDeployStore';
import { runLoad } from './loadClients';
import {
  baseUrl,
  BenchRow,
  CI,
  dropBenchDatabases,
  freshDatabase,
  HISTORY_ROWS,
  insertDeployHistory,
  machine,
  ms,
  percentile,
  PG,
  quick,
  serviceEntities,
  sleep,
  startBenchBackend,
  table,
  USER,
} from './backend';
import { benchCollator } from './collator';
import { benchDora } from './dora';
import { benchGates } from './gates';
import { benchKubernetes } from './kubernetes';
import { benchRelease } from './release';

const rows: BenchRow[] = [];

function services(count: number, dir: string) {
  // the catalog's script: a `slow` artifact blocks its target (busy runs)
  fs.writeFileSync(
    path.join(dir, 'deploy.sh'),
    '[ "$SLED_ARTIFACT_VERSION" = slow ] && exec sleep 300\nexit 0\n',
  );
  return serviceEntities(count, {
    'sled.dev/deploy-command': 'sh deploy.sh',
    'backstage.io/managed-by-location': `file:${dir}/catalog-info.yaml`,
  });
}

async function startBackend(knex: Knex, entities: ReturnType<typeof services>) {
  const { server } = await startBenchBackend({
    knex,
    entities,
    config: { sled: { environments: [{ name: 'local', executor: 'local' }] } },
  });
  return server;
}

async function register(server: any, entityRef: string, version: string) {
  const res = await request(server)
    .post('/api/sled/artifacts')
    .set('Authorization', CI)
    .send({ entityRef, version, commitSha: 'abcdef1234567' });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function waitAllFinal(knex: Knex, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const [{ n }] = await knex('sled_deploys')
      .whereIn('status', ['queued', 'running'])
      .count({ n: '*' });
    if (Number(n) === 0) return true;
    await sleep(200);
  }
  return false;
}

/** POST /deploys → the executor started the deploy process. */
async function controlPlane(database: string, knex: Knex) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sled-bench-'));
  const entities = services(50, dir);
  const server = await startBackend(knex, entities);
  const latencies: number[] = [];
  for (let i = 0; i < (quick ? 50 : 200); i++) {
    const entityRef = `component:default/svc-${i % 50}`;
    const artifactId = await register(server, entityRef, `1.0.${i}`);
    const sent = Date.now();
    const res = await request(server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({ entityRef, environment: 'local', artifactId });
    if (res.status !== 202)
      throw new Error(`deploy: ${res.status} ${JSON.stringify(res.body)}`);
    // started: the executor has recorded the process it spawned (seen by
    // polling every millisecond, so at most that late)
    for (;;) {
      const row = await knex('sled_deploys')
        .where({ id: res.body.id })
        .first('execution');
      if (row?.execution) break;
      await sleep(1);
    }
    latencies.push(Date.now() - sent);
  }
  await waitAllFinal(knex, 60_000);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  rows.push({
    metric: 'POST /deploys → executor started, p50',
    database,
    value: ms(p50),
    target: '',
    ok: '',
  });
  rows.push({
    metric: 'POST /deploys → executor started, p95',
    database,
    value: ms(p95),
    target: '< 50 ms',
    ok: p95 < 50 ? 'yes' : 'NO',
  });
}

/** 100 concurrent clients for a while; every accepted deploy must exist once and finish. */
// few targets: requests queue behind running deploys, as a busy service does
const TARGETS = 10;

/**
 * 100 concurrent clients for a while; every accepted deploy must exist once
 * and finish. `busy`: each target first gets a long deploy, so requests only
 * queue (the control plane alone); otherwise each deploy also spawns its
 * local process, which forks the backend.
 */
async function throughput(database: string, knex: Knex, busy = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sled-bench-'));
  const entities = services(TARGETS, dir);
  const server = await startBackend(knex, entities);
  const artifacts: string[] = [];
  const blockers: string[] = [];
  for (let i = 0; i < TARGETS; i++) {
    const entityRef = `component:default/svc-${i}`;
    artifacts.push(await register(server, entityRef, '2.0.0'));
    if (busy) {
      const slow = await request(server)
        .post('/api/sled/artifacts')
        .set('Authorization', CI)
        .send({
          entityRef,
          version: 'slow',
          commitSha: 'abcdef1234567',
        });
      const res = await request(server)
        .post('/api/sled/deploys')
        .set('Authorization', USER)
        .send({ entityRef, environment: 'local', artifactId: slow.body.id });
      blockers.push(res.body.id);
    }
  }
  const durationMs = quick ? 3000 : 10_000;
  // the 100 clients in a child process: this process only serves them
  const { accepted, errors, samples, elapsed } = await runLoad({
    baseUrl: baseUrl(server),
    clients: 100,
    durationMs,
    authorization: USER,
    environment: 'local',
    targets: artifacts.map((artifactId, i) => ({
      entityRef: `component:default/svc-${i}`,
      artifactId,
    })),
    keyPrefix: `bench-${database}-${busy}-`,
  });
  if (samples.length)
    process.stderr.write(
      `[bench] ${database}: ${errors} requests failed, e.g. ${samples.join(
        ' | ',
      )}\n`,
    );
  for (const id of blockers) {
    await request(server)
      .post(`/api/sled/deploys/${id}/cancel`)
      .set('Authorization', USER);
  }
  const finished = await waitAllFinal(knex, 600_000);
  // a fresh database: besides the blockers, every deploy row is this run's
  const unique = [...new Set(accepted)];
  const [{ succeeded }] = await knex('sled_deploys')
    .whereIn('id', unique.length ? unique : ['-'])
    .where('status', 'succeeded')
    .count({ succeeded: '*' });
  const [{ created }] = await knex('sled_deploys')
    .whereNotIn('id', blockers.length ? blockers : ['-'])
    .count({ created: '*' });
  // accepted, but never ran to success
  const lost = unique.length - Number(succeeded);
  // one request answered twice, or more deploys than accepted requests
  const duplicated =
    accepted.length - unique.length + (Number(created) - unique.length);
  const rate = accepted.length / elapsed;
  const label = busy
    ? 'deploy requests/s accepted, 100 clients, targets busy'
    : 'deploy requests/s, 100 clients, each runs a local process';
  rows.push({
    metric: label,
    database,
    value: `${rate.toFixed(0)}/s (${accepted.length} in ${elapsed.toFixed(
      1,
    )} s, ${errors} errors)`,
    target: '≥ 100/s',
    ok: rate >= 100 ? 'yes' : 'NO',
  });
  rows.push({
    metric: `  then lost / duplicated (all ${accepted.length} ran)`,
    database,
    value: `${lost} / ${duplicated}${finished ? '' : ' (not all finished)'}`,
    target: '0 / 0',
    ok: lost === 0 && duplicated === 0 && finished ? 'yes' : 'NO',
  });
}

/** History page query at 1,000,000 deploy rows. */
async function history(database: string, knex: Knex, client: string) {
  const store = await DatabaseDeployStore.create({
    database: { getClient: async () => knex } as DatabaseService,
  });
  const loadSeconds = await insertDeployHistory(knex, client, HISTORY_ROWS);
  const timings: number[] = [];
  for (let i = 0; i < 300; i++) {
    const entityRef = `component:default/svc-${(i * 7) % 300}`;
    const started = process.hrtime.bigint();
    const first = await store.listDeploys({
      entityRef,
      limit: 50,
      environment: i % 2 ? 'production' : undefined,
      status: i % 5 === 0 ? ['failed'] : undefined,
    });
    if (first.nextCursor)
      await store.listDeploys({
        entityRef,
        limit: 50,
        cursor: first.nextCursor,
      });
    timings.push(
      Number(process.hrtime.bigint() - started) /
        1e6 /
        (first.nextCursor ? 2 : 1),
    );
  }
  const p95 = percentile(timings, 95);
  rows.push({
    metric: `history page (50 rows, keyset) at ${HISTORY_ROWS.toLocaleString(
      'en-US',
    )} rows, p95`,
    database,
    value: `${ms(p95)} (p50 ${ms(
      percentile(timings, 50),
    )}; load ${loadSeconds.toFixed(0)} s)`,
    target: '< 20 ms',
    ok: p95 < 20 ? 'yes' : 'NO',
  });
}

/** The sections SLED_BENCH_ONLY can pick, in the order of a full run. */
const sections: Record<
  string,
  (name: string, client: string) => Promise<void>
> = {
  controlPlane: async (name, client) => {
    process.stderr.write(`[bench] ${name}: control plane…\n`);
    await controlPlane(name, await freshDatabase(client));
  },
  busy: async (name, client) => {
    process.stderr.write(`[bench] ${name}: throughput…\n`);
    await throughput(name, await freshDatabase(client), true);
  },
  throughput: async (name, client) => {
    await throughput(name, await freshDatabase(client), false);
  },
  history: async (name, client) => {
    process.stderr.write(`[bench] ${name}: history at ${HISTORY_ROWS} rows…\n`);
    await history(name, await freshDatabase(client), client);
  },
  collator: async (name, client) => {
    process.stderr.write(`[bench] ${name}: search collator…\n`);
    rows.push(
      ...(await benchCollator(name, await freshDatabase(client), client)),
    );
  },
  kubernetes: async (name, client) => {
    rows.push(
      ...(await benchKubernetes(name, await freshDatabase(client), client)),
    );
  },
  release: async (name, client) => {
    rows.push(...(await benchRelease(name, () => freshDatabase(client))));
  },
  gates: async (name, client) => {
    process.stderr.write(`[bench] ${name}: release gates…\n`);
    rows.push(...(await benchGates(name, await freshDatabase(client), client)));
  },
  dora: async (name, client) => {
    process.stderr.write(`[bench] ${name}: DORA metrics…\n`);
    rows.push(...(await benchDora(name, await freshDatabase(client), client)));
  },
};

async function main() {
  const all = PG ? ['better-sqlite3', 'pg'] : ['better-sqlite3'];
  const db = process.env.SLED_BENCH_DB;
  const clients = db
    ? all.filter(c => (c === 'pg' ? 'pg' : 'sqlite') === db)
    : all;
  if (!PG)
    process.stderr.write(
      '[bench] BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set: SQLite only (./scripts/bench sets it)\n',
    );
  const only = process.env.SLED_BENCH_ONLY;
  const picked =
    only && only !== 'all' ? only.split(',') : Object.keys(sections);
  const unknown = picked.filter(s => !sections[s]);
  if (unknown.length)
    throw new Error(
      `SLED_BENCH_ONLY: unknown section ${unknown.join(
        ', ',
      )}; one of ${Object.keys(sections).join(', ')} (comma-separated), or all`,
    );
  await dropBenchDatabases();
  for (const client of clients) {
    const name = client === 'pg' ? 'PostgreSQL 15' : 'SQLite';
    for (const section of picked) await sections[section](name, client);
  }
  await dropBenchDatabases();
  console.log(`\n${machine('SLeD benchmarks')}\n`);
  console.log(table(rows));
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
