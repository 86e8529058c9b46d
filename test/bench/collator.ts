/*
 * Search collator benchmark: 100,000 recent deploys (plus older ones outside
 * the window) behind a real sled backend, collated by the search module's
 * own SledDeploysCollatorFactory over HTTP, to completion.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs test/bench/collator.ts
 *
 * SQLite always; PostgreSQL too when BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING
 * is set (./scripts/bench sets it). Target (SLED.md): < 20 s with flat memory.
 * `benchCollator()` is exported so test/bench/run.ts can add its rows to its table;
 * the backend start-up is test/bench/backend.ts's.
 */
import {
  AuthService,
  coreServices,
  createBackendModule,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { RegisterCollatorParameters } from '@backstage/plugin-search-backend-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { Knex } from 'knex';
import searchModuleSledDeploys from '../../plugins/search-backend-module-sled-deploys/src';
import {
  BenchRow,
  freshDatabase,
  gc,
  machine,
  mb,
  PG,
  serviceEntities,
  startBenchBackend,
  table,
} from './backend';

const RECENT = Number(process.env.SLED_BENCH_COLLATOR_ROWS ?? 100_000);
const OLD = Math.round(RECENT / 5);
const SERVICES = 300;
const WINDOW_DAYS = 30;
/** each artifact goes to three environments, as staging → production does */
const DEPLOYS_PER_ARTIFACT = 3;
const TARGET_SECONDS = 20;

/** Artifacts and deploys straight into the tables, in one statement each. */
async function load(knex: Knex, client: string) {
  const total = RECENT + OLD;
  const artifacts = Math.ceil(total / DEPLOYS_PER_ARTIFACT);
  // deploy x (1 = newest): the first RECENT spread over 29 days, the rest 31–60 days old
  const recentStep = (29 * 86400) / RECENT;
  const ageSeconds = `CASE WHEN x <= ${RECENT} THEN x * ${recentStep} ELSE ${
    31 * 86400
  } + (x - ${RECENT}) * ${(29 * 86400) / OLD} END`;
  const artifactOf = `((x - 1) / ${DEPLOYS_PER_ARTIFACT} + 1)`;
  const service = (n: string) =>
    `'component:default/svc-' || (${n} % ${SERVICES})`;
  const spec = (n: string) =>
    `'{"entityRef":"component:default/svc-' || (${n} % ${SERVICES}) || '","version":"1.0.' || ${n} || '","commitSha":"' || substr('0123456789abcdef0123456789abcdef' || ${n}, 1, 12) || '","mergeRequest":{"url":"https://git.example.com/mr/' || ${n} || '","title":"Change number ' || ${n} || '"}}'`;
  const artifactCols =
    '(id, entity_ref, owner_ref, version, spec, content_hash, created_at)';
  const deployCols =
    '(id, entity_ref, owner_ref, environment, artifact_id, artifact_version, status, dry_run, force, requested_by, reason, launch, created_at, started_at, finished_at)';
  const envs = `CASE x % 3 WHEN 0 THEN 'local' WHEN 1 THEN 'staging' ELSE 'production' END`;
  const statuses = `CASE x % 20 WHEN 0 THEN 'failed' ELSE 'succeeded' END`;
  // ids must be UUIDs: GET /artifacts/:id validates them
  const uuid = (n: string) =>
    client === 'pg'
      ? `lpad(to_hex(${n}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0')`
      : `printf('%08x-0000-4000-8000-%012x', ${n}, ${n})`;
  const deploySelect = (ts: string) =>
    `SELECT ${uuid('x')}, ${service(
      artifactOf,
    )}, 'group:default/team', ${envs}, ${uuid(
      artifactOf,
    )}, '1.0.' || ${artifactOf}, ${statuses}, false, false, 'user:default/engineer-' || (x % 40), 'routine release ' || x, '{"command":["true"]}', ${ts}, ${ts}, ${ts}`;
  if (client === 'pg') {
    const ts = (age: string) => `now() - ((${age}) || ' seconds')::interval`;
    await knex.raw(
      `INSERT INTO sled_artifacts ${artifactCols} SELECT ${uuid(
        'x',
      )}, ${service('x')}, 'group:default/team', '1.0.' || x, ${spec(
        'x',
      )}, md5(x::text), now() - interval '61 days' FROM generate_series(1, ${artifacts}) AS x`,
    );
    await knex.raw(
      `INSERT INTO sled_deploys ${deployCols} ${deploySelect(
        ts(ageSeconds),
      )} FROM generate_series(${total}, 1, -1) AS x`,
    );
    await knex.raw('ANALYZE');
  } else {
    const series = (n: number) =>
      `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n})`;
    const ts = (age: string) =>
      `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (${age}) || ' seconds')`;
    await knex.raw(
      `${series(
        artifacts,
      )} INSERT INTO sled_artifacts ${artifactCols} SELECT ${uuid(
        'x',
      )}, ${service('x')}, 'group:default/team', '1.0.' || x, ${spec(
        'x',
      )}, hex(randomblob(32)), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-61 days') FROM c`,
    );
    // oldest first, so seq (the API's order) follows created_at as in real life
    await knex.raw(
      `${series(total)} INSERT INTO sled_deploys ${deployCols} ${deploySelect(
        ts(ageSeconds),
      )} FROM c ORDER BY x DESC`,
    );
    await knex.raw('ANALYZE');
  }
}

export async function benchCollator(
  database: string,
  knex: Knex,
  client: string,
): Promise<BenchRow[]> {
  let registered: RegisterCollatorParameters | undefined;
  let services_:
    | { discovery: DiscoveryService; auth: AuthService; logger: LoggerService }
    | undefined;
  const capture = createBackendModule({
    pluginId: 'search',
    moduleId: 'bench-capture',
    register(env) {
      env.registerInit({
        deps: {
          discovery: coreServices.discovery,
          auth: coreServices.auth,
          logger: coreServices.logger,
        },
        async init(deps) {
          services_ = deps;
        },
      });
    },
  });
  const backend = await startBenchBackend({
    knex,
    entities: serviceEntities(SERVICES, { 'sled.dev/deploy-command': 'true' }),
    features: [searchModuleSledDeploys, capture],
    extensionPoints: [
      [
        searchIndexRegistryExtensionPoint,
        {
          addCollator: (options: RegisterCollatorParameters) => {
            registered = options;
          },
          addDecorator: () => {},
        },
      ],
    ],
    config: {
      sled: { environments: [{ name: 'local', executor: 'local' }] },
      search: { collators: { sledDeploys: { windowDays: WINDOW_DAYS } } },
    },
  });
  if (!registered || !services_)
    throw new Error('the collator module did not register');

  const loadStart = Date.now();
  await load(knex, client);
  const loadSeconds = (Date.now() - loadStart) / 1000;

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  let heapMax = heapBefore;
  let rssMax = rssBefore;
  let documents = 0;
  let ids = new Set<string>();
  const started = process.hrtime.bigint();
  let sampling = 0n;
  const readable = await registered.factory.getCollator();
  for await (const document of readable) {
    documents++;
    // a sample of ids only: a full set would itself grow the heap
    if (documents % 1000 === 0) ids.add(document.location);
    if (documents % 10_000 === 0) {
      // retained heap: what a streamed run must keep flat
      const t = process.hrtime.bigint();
      gc();
      const { heapUsed, rss } = process.memoryUsage();
      heapMax = Math.max(heapMax, heapUsed);
      rssMax = Math.max(rssMax, rss);
      sampling += process.hrtime.bigint() - t;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started - sampling) / 1e9;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  const sampled = ids.size;
  ids = new Set();
  await backend.stop();

  const growth = heapMax - heapBefore;
  const flat = growth < 64 * 1024 * 1024;
  return [
    {
      metric: `search collator, ${RECENT.toLocaleString(
        'en-US',
      )} recent deploys (+${OLD.toLocaleString('en-US')} older)`,
      database,
      value: `${documents.toLocaleString(
        'en-US',
      )} documents in ${seconds.toFixed(1)} s (${Math.round(
        documents / seconds,
      )}/s; load ${loadSeconds.toFixed(0)} s)`,
      target: `${RECENT.toLocaleString('en-US')} in < ${TARGET_SECONDS} s`,
      ok:
        documents === RECENT &&
        sampled === RECENT / 1000 &&
        seconds < TARGET_SECONDS
          ? 'yes'
          : 'NO',
    },
    {
      metric: '  heap before / max during (after GC) / after',
      database,
      value: `${mb(heapBefore)} / ${mb(heapMax)} / ${mb(
        heapAfter,
      )} (growth ${mb(growth)}; RSS ${mb(rssBefore)} → max ${mb(rssMax)})`,
      target: 'flat (growth < 64 MB)',
      ok: flat ? 'yes' : 'NO',
    },
  ];
}

async function main() {
  const clients = PG ? ['better-sqlite3', 'pg'] : ['better-sqlite3'];
  if (!PG)
    process.stderr.write(
      '[bench] BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set: SQLite only\n',
    );
  const rows: BenchRow[] = [];
  for (const client of clients) {
    const name = client === 'pg' ? 'PostgreSQL 15' : 'SQLite';
    process.stderr.write(
      `[bench] ${name}: search collator over ${RECENT} deploys…\n`,
    );
    const knex = await freshDatabase(client, 'sled_bench_collator');
    rows.push(...(await benchCollator(name, knex, client)));
    await knex.destroy();
  }
  console.log(`\n${machine('SLeD search collator benchmark')}\n`);
  console.log(table(rows));
  process.exit(rows.every(r => r.ok === 'yes') ? 0 : 1);
}

if (require.main === module) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
