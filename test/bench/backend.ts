/*
 * What the benchmarks share: a real sled backend started with startTestBackend
 * (catalog mock, the given database, warn-level logging, the given config),
 * fresh databases, the Kubernetes config that points the executor at the fake
 * API server, artifact registration, and the table row type and formatting helpers.
 */
import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestBackendOptions,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonObject } from '@backstage/types';
import knexFactory, { Knex } from 'knex';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import v8 from 'v8';
import vm from 'vm';
import sledPlugin from '../../plugins/sled-backend/src';
import inspector from 'inspector';

/** One row of the benchmark table. */
export type BenchRow = {
  metric: string;
  database: string;
  value: string;
  target: string;
  ok: string;
};

export const quick = process.env.SLED_BENCH_QUICK === '1';

v8.setFlagsFromString('--expose-gc');
/** a full GC, so heap figures start from what is retained */
export const gc: () => void = vm.runInNewContext('gc');
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
export const ms = (v: number) => `${v.toFixed(1)} ms`;
export const sleep = (t: number) => new Promise(r => setTimeout(r, t));
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};
export const progress = (text: string) =>
  process.stderr.write(`[bench] ${text}\n`);

export const USER = mockCredentials.user.header('user:default/bench');
export const CI = mockCredentials.service.header();

/** `count` service Components `svc-0`…, owned by group:default/team, with the given annotations. */
export function serviceEntities(
  count: number,
  annotations: Record<string, string>,
): Entity[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${i}`,
      namespace: 'default',
      annotations: { ...annotations },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team',
      lifecycle: 'production',
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team' }],
  }));
}

/**
 * A real sled backend: the sled plugin, a catalog mock serving `entities`,
 * the given database, warn-level logs and `config`; plus `features` and
 * `extensionPoints` (the collator benchmark's search module).
 */
export async function startBenchBackend<
  TExtensionPoints extends any[] = [],
>(options: {
  knex: Knex;
  entities: Entity[];
  config: JsonObject;
  features?: BackendFeature[];
  extensionPoints?: TestBackendOptions<TExtensionPoints>['extensionPoints'];
}): Promise<TestBackend> {
  return startTestBackend<TExtensionPoints>({
    extensionPoints: options.extensionPoints,
    features: [
      sledPlugin,
      ...(options.features ?? []),
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.rootConfig.factory({ data: options.config }),
    ],
  });
}

export const NAMESPACE = 'sled-deploys';

/**
 * Config for one `staging` environment run by the Kubernetes executor in
 * namespace sled-deploys of cluster `bench`: the fake API server (in-process
 * FakeKubernetesApi or FakeKubernetesProcess).
 */
export function kubernetesBenchConfig(
  fake: { url: string; token: string; caData: string },
  sled: { kubernetes?: JsonObject; releases?: JsonObject } = {},
): JsonObject {
  return {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'bench',
              url: fake.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: fake.token,
              caData: fake.caData,
            },
          ],
        },
      ],
    },
    sled: {
      environments: [
        {
          name: 'staging',
          executor: 'kubernetes',
          cluster: 'bench',
          namespace: NAMESPACE,
        },
      ],
      ...(sled.releases && { releases: sled.releases }),
      kubernetes: {
        defaultDeployerImage: 'ghcr.io/example/sled-deployer:1',
        ...sled.kubernetes,
      },
    },
  };
}

/** One image artifact (1.0.0) for each of svc-0 … svc-(count-1), 25 at a time; their ids in order. */
export async function registerImageArtifacts(
  server: TestBackend['server'],
  count: number,
): Promise<string[]> {
  const artifacts: string[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, async (_, j) => {
        const res = await request(server)
          .post('/api/sled/artifacts')
          .set('Authorization', CI)
          .send({
            entityRef: `component:default/svc-${i + j}`,
            version: '1.0.0',
            commitSha: 'abcdef1234567',
            image: 'registry.example/app:1.0.0',
          });
        if (res.status !== 201 && res.status !== 200)
          throw new Error(
            `register: ${res.status} ${JSON.stringify(res.body)}`,
          );
        return res.body.id as string;
      }),
    );
    artifacts.push(...batch);
  }
  return artifacts;
}

/** The backend's own address, for clients in other processes. */
export function baseUrl(server: TestBackend['server']): string {
  return `http://127.0.0.1:${server.port()}`;
}

/**
 * With SLED_BENCH_CPU_PROFILE=<dir>, profiles this (the backend's) process
 * while `body` runs and writes <dir>/<name>.cpuprofile (V8's CPU profiler, as
 * `node --cpu-prof`, but only around the measured phase).
 */
export async function profiled<T>(
  name: string,
  body: () => Promise<T>,
): Promise<T> {
  const dir = process.env.SLED_BENCH_CPU_PROFILE;
  if (!dir) return body();
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params ?? {}, (e, r) =>
        e ? reject(e) : resolve(r),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '-')}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    progress(`CPU profile of the backend's process: ${file}`);
  }
}

export const PG =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
let databases = 0;

const sqliteDirs: string[] = [];

/**
 * A fresh, empty database: `client` 'pg' creates database `<name>_<time>_<n>`
 * on BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING; otherwise an
 * SQLite file in a new temporary folder.
 */
export async function freshDatabase(
  client: string,
  name = 'sled_bench',
): Promise<Knex> {
  if (client === 'pg') {
    const database = `${name}_${Date.now()}_${databases++}`;
    const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
    await admin.raw(`CREATE DATABASE ${database}`);
    await admin.destroy();
    return knexFactory({
      client: 'pg',
      connection: `${PG}/${database}`,
      pool: { min: 0, max: 10 },
    });
  }
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), `${name.replace(/_/g, '-')}-db-`),
  );
  sqliteDirs.push(dir);
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'sled.sqlite') },
    useNullAsDefault: true,
  });
}

/**
 * Drops the benchmark databases of this run and any an interrupted run left
 * behind (PostgreSQL), and this run's SQLite folders. Two benches at once
 * against one server would drop each other's.
 */
export async function dropBenchDatabases(): Promise<void> {
  for (const dir of sqliteDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!PG) return;
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
  try {
    const { rows } = await admin.raw(
      `SELECT datname FROM pg_database WHERE datname LIKE 'sled\\_bench\\_%'`,
    );
    for (const { datname } of rows as { datname: string }[]) {
      await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [datname]);
    }
  } finally {
    await admin.destroy();
  }
}

/** How many deploy rows the history and gates sections put in the ledger. */
export const HISTORY_ROWS = quick ? 100_000 : 1_000_000;

/**
 * Fills `sled_deploys` (migrated) with `count` finished deploys, in SQL: of
 * svc-0 … svc-299 (x % 300), spread evenly over `environments`, 1 in 10
 * failed, artifact `a` (not registered), one a second further back from now
 * (so the newest row has the lowest seq); then ANALYZE. Seconds it took.
 * By default the environment and the status follow x as the service does,
 * so each service has deploys in one environment only, and svc-0, svc-10 …
 * only failed ones (the history section's ledger); `everyServiceInEach`
 * gives every service as many deploys in each environment, 1 in 10 failed.
 */
export async function insertDeployHistory(
  knex: Knex,
  client: string,
  count: number,
  environments: string[] = ['local', 'staging', 'production'],
  options: { everyServiceInEach?: boolean } = {},
): Promise<number> {
  const t0 = Date.now();
  // integer division in both databases
  const slot = options.everyServiceInEach ? '(x / 300)' : 'x';
  const envs = `CASE ${slot} % ${environments.length} ${environments
    .slice(0, -1)
    .map((e, i) => `WHEN ${i} THEN '${e}'`)
    .join(' ')} ELSE '${environments[environments.length - 1]}' END`;
  const nth = options.everyServiceInEach
    ? `(x / ${300 * environments.length})`
    : 'x';
  const statuses = `CASE ${nth} % 10 WHEN 0 THEN 'failed' ELSE 'succeeded' END`;
  const select = (id: string, ts: string) =>
    `SELECT ${id}, 'component:default/svc-' || (x % 300), 'group:default/team', ${envs}, 'a', '1.0.' || x, ${statuses}, false, false, 'user:default/bench', '{"command":["true"]}', ${ts}, ${ts}, ${ts}`;
  const cols = `(id, entity_ref, owner_ref, environment, artifact_id, artifact_version, status, dry_run, force, requested_by, launch, created_at, started_at, finished_at)`;
  if (client === 'pg') {
    await knex.raw(
      `INSERT INTO sled_deploys ${cols} ${select(
        `md5(x::text)`,
        `now() - (x || ' seconds')::interval`,
      )} FROM generate_series(1, ${count}) AS x`,
    );
    await knex.raw('ANALYZE sled_deploys');
  } else {
    await knex.raw(
      `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${count}) INSERT INTO sled_deploys ${cols} ${select(
        `lower(hex(randomblob(16)))`,
        `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || x || ' seconds')`,
      )} FROM c`,
    );
    await knex.raw('ANALYZE');
  }
  return (Date.now() - t0) / 1000;
}

/** The benchmark table, as Markdown. */
export function table(rows: BenchRow[]): string {
  const headers: BenchRow = {
    metric: 'metric',
    database: 'database',
    value: 'measured',
    target: 'target',
    ok: 'met',
  };
  const keys = Object.keys(headers) as (keyof BenchRow)[];
  const width = (k: keyof BenchRow) =>
    Math.max(...[headers, ...rows].map(r => r[k].length));
  const line = (r: BenchRow) =>
    `| ${keys.map(k => r[k].padEnd(width(k))).join(' | ')} |`;
  return [
    line(headers),
    `|${keys.map(k => '-'.repeat(width(k) + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** `<title> — <time>, <cores> × <cpu>, Node <version>` */
export function machine(title: string): string {
  return `${title} — ${new Date().toISOString()}, ${os.cpus().length} × ${
    os.cpus()[0].model
  }, Node ${process.version}`;
}
