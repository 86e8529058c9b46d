/*
 * Release gates benchmark: what evaluating an environment's gates costs on
 * `POST /deploys`, on a ledger of 1,000,000 deploy rows (SLED_BENCH_QUICK=1:
 * 100,000): the history section's rows (svc-0 … svc-299), each service with
 * a third of them in each of the environments `plain`, `staging` and `gated`.
 *
 * `gated` has every gate: promotion from `staging` after a 30 min soak, a
 * deny window (a weekly freeze, closed now) and an allow window (daily,
 * open now), both in Europe/London, a deploy check added by a backend module
 * (`bench-ok`, which lets every deploy go) and 2 approvals. `plain` has none.
 *
 *  1. `DeployGates.evaluate` alone, in this process, on the real stores
 *     (`createDeployStores`) over the same database: an artifact that
 *     succeeded in staging 2 h ago and is still what runs there; then one
 *     that staging has deployed ~1,100 others since (the promotion ledger's
 *     second part of its one query walks them; their artifact `a` is not registered, so its
 *     join finds nothing to compare); and what each gate's work costs alone.
 *  2. `POST /deploys` through the real backend, alternating `plain` and
 *     `gated` (same backend, database, services and artifacts): the
 *     difference is the gates' cost. `gated` answers 202 awaiting approval;
 *     `plain` answers 202 queued behind a deploy that runs on each target
 *     (a `sleep`), so neither starts a process while measured.
 *
 * `benchGates()` is hooked into test/bench/run.ts: `SLED_BENCH_ONLY=gates yarn bench`.
 */
import {
  createBackendModule,
  createServiceFactory,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { Artifact } from '@internal/plugin-sled-common';
import {
  EnvironmentConfig,
  sledDeployChecksExtensionPoint,
} from '@internal/plugin-sled-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
import { randomUUID } from 'crypto';
import fs from 'fs';
import { Knex } from 'knex';
import os from 'os';
import path from 'path';
import request from 'supertest';
import { DeployChecks } from '../../plugins/sled-backend/src/checks/DeployChecks';
import { readSledConfig } from '../../plugins/sled-backend/src/config';
import { createDeployStores } from '../../plugins/sled-backend/src/database/createDeployStores';
import { DeployGates } from '../../plugins/sled-backend/src/gates/DeployGates';
import { DeployWindows } from '../../plugins/sled-backend/src/gates/DeployWindows';
import { readGatesConfig } from '../../plugins/sled-backend/src/gates/gatesConfig';
import {
  BenchRow,
  CI,
  HISTORY_ROWS,
  insertDeployHistory,
  ms,
  percentile,
  profiled,
  progress,
  quick,
  serviceEntities,
  sleep,
  startBenchBackend,
  USER,
} from './backend';

const TARGET = 'p95 < 5 ms';
const TARGET_MS = 5;
/** services whose artifact is staging's latest deploy */
const FRESH = 50;
/** services whose artifact staging deployed before the ledger's rows */
const BEHIND = 50;
/** of the FRESH services, those the POST /deploys rows deploy */
const POST_TARGETS = 20;
const EVALUATIONS = quick ? 500 : 1000;
const POSTS = 500;
const WARMUP = 50;
const SOAKED_MS = 2 * 60 * 60 * 1000;
const ZONE = 'Europe/London';

const rowsLabel = HISTORY_ROWS.toLocaleString('en-US');
const svc = (i: number) => `component:default/svc-${i}`;
/** milliseconds, with two decimals below 1 ms */
const fine = (v: number) => (Math.abs(v) < 1 ? `${v.toFixed(2)} ms` : ms(v));
const p5095 = (values: number[]) =>
  `${fine(percentile(values, 50))} / ${fine(percentile(values, 95))}`;

/**
 * Windows around now in Europe/London: a weekly 62 h freeze that opens two
 * days from today at 18:00 (so it ended at least a day ago), and a daily
 * 12 h allow window that opened at the start of the last hour.
 */
function windowsAroundNow(now = new Date()): JsonObject[] {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    hourCycle: 'h23',
    hour: 'numeric',
    weekday: 'short',
  }).formatToParts(now);
  const hour = Number(parts.find(p => p.type === 'hour')!.value);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(
    parts.find(p => p.type === 'weekday')!.value,
  );
  return [
    {
      kind: 'deny',
      schedule: `0 18 * * ${(weekday + 2) % 7}`,
      duration: '62h',
      timezone: ZONE,
      reason: 'bench freeze',
    },
    {
      kind: 'allow',
      schedule: `0 ${(hour + 23) % 24} * * *`,
      duration: '12h',
      timezone: ZONE,
    },
  ];
}

function sledConfig(dir: string): JsonObject {
  fs.writeFileSync(
    path.join(dir, 'deploy.sh'),
    '[ "$SLED_ARTIFACT_VERSION" = slow ] && exec sleep 300\nexit 0\n',
  );
  return {
    sled: {
      environments: [
        { name: 'plain', executor: 'local' },
        { name: 'staging', executor: 'local' },
        {
          name: 'gated',
          executor: 'local',
          promotion: { from: 'staging', soak: '30m' },
          approvals: {
            required: 2,
            approvers: ['owners', 'group:default/release-managers'],
            allowSelfApproval: false,
            expiresAfter: '24h',
          },
          windows: windowsAroundNow(),
          checks: ['bench-ok'],
        },
      ],
    },
  };
}

/** a deploy check that lets every deploy go */
const benchCheck = {
  name: 'bench-ok',
  evaluate: async () => undefined,
};

const benchChecksModule = createBackendModule({
  pluginId: 'sled',
  moduleId: 'bench-checks',
  register(env) {
    env.registerInit({
      deps: { checks: sledDeployChecksExtensionPoint },
      async init({ checks }) {
        checks.addCheck(benchCheck);
      },
    });
  },
});

/** approvers' notifications go nowhere (their cost is not the gates') */
const silentNotifications = createServiceFactory({
  service: notificationService,
  deps: {},
  factory: () => ({ async send() {} }),
});

async function register(
  server: any,
  entityRef: string,
  version: string,
): Promise<Artifact> {
  const res = await request(server)
    .post('/api/sled/artifacts')
    .set('Authorization', CI)
    .send({ entityRef, version, commitSha: 'abcdef1234567' });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Artifact;
}

/** staging's succeeded deploy of `artifact`, finished 2 h ago (soaked) */
async function stagingSuccess(knex: Knex, artifact: Artifact) {
  const at = new Date(Date.now() - SOAKED_MS).toISOString();
  await knex('sled_deploys').insert({
    id: randomUUID(),
    entity_ref: artifact.entityRef,
    owner_ref: 'group:default/team',
    environment: 'staging',
    artifact_id: artifact.id,
    artifact_version: artifact.version,
    status: 'succeeded',
    dry_run: false,
    force: false,
    requested_by: 'user:default/bench',
    launch: '{"command":["true"]}',
    created_at: at,
    started_at: at,
    finished_at: at,
  });
}

async function time<T>(timings: number[], body: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await body();
  timings.push(Number(process.hrtime.bigint() - started) / 1e6);
  return result;
}

export async function benchGates(
  database: string,
  knex: Knex,
  client: string,
): Promise<BenchRow[]> {
  try {
    return await benchWithBackend(database, knex, client);
  } catch (error) {
    // benchmarks print: a failure is a row, with its stack on stderr
    process.stderr.write(`[bench] ${database}: gates failed: ${error}\n`);
    if (error instanceof Error && error.stack)
      process.stderr.write(`${error.stack}\n`);
    return [
      {
        metric: 'gates benchmark',
        database,
        value: `failed: ${String(error).slice(0, 120)}`,
        target: TARGET,
        ok: 'NO',
      },
    ];
  }
}

async function benchWithBackend(
  database: string,
  knex: Knex,
  client: string,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sled-bench-gates-'));
  const config = sledConfig(dir);
  const backend = await startBenchBackend({
    knex,
    entities: serviceEntities(FRESH + BEHIND, {
      'sled.dev/deploy-command': 'sh deploy.sh',
      'backstage.io/managed-by-location': `file:${dir}/catalog-info.yaml`,
    }),
    config,
    features: [benchChecksModule, silentNotifications],
  });
  const { server } = backend;
  const blockers: string[] = [];
  try {
    // the ledger: artifacts of svc-0 … svc-99 that succeeded in staging 2 h
    // ago; svc-50 … svc-99's before the history rows, svc-0 … svc-49's after
    const artifacts: Artifact[] = [];
    for (let i = 0; i < FRESH + BEHIND; i++) {
      artifacts.push(await register(server, svc(i), '2.0.0'));
    }
    for (const artifact of artifacts.slice(FRESH)) {
      await stagingSuccess(knex, artifact);
    }
    progress(`${database}: gates: ${rowsLabel} deploy rows…`);
    // every service has a third of its deploys in each environment
    const loadSeconds = await insertDeployHistory(
      knex,
      client,
      HISTORY_ROWS,
      ['plain', 'staging', 'gated'],
      { everyServiceInEach: true },
    );
    for (const artifact of artifacts.slice(0, FRESH)) {
      await stagingSuccess(knex, artifact);
    }
    // as autovacuum leaves a table in use (not busy with the bulk load)
    await knex.raw(client === 'pg' ? 'VACUUM ANALYZE sled_deploys' : 'ANALYZE');
    const [{ n }] = await knex('sled_deploys').count({ n: '*' });
    progress(
      `${database}: gates: ${Number(n).toLocaleString(
        'en-US',
      )} deploy rows (loaded in ${loadSeconds.toFixed(0)} s)`,
    );
    const [{ behind }] = await knex('sled_deploys')
      .where({ entity_ref: svc(FRESH), environment: 'staging' })
      .where(
        'seq',
        '>',
        knex('sled_deploys')
          .max('seq')
          .where({ artifact_id: artifacts[FRESH].id }),
      )
      .count({ behind: '*' });

    rows.push(
      ...(await evaluateAlone(database, knex, config, artifacts, {
        behind: Number(behind),
      })),
    );
    rows.push(...(await postDeploys(database, server, artifacts, blockers)));
  } finally {
    // nothing left to start: the measured deploys end, then the blockers
    await knex('sled_deploys')
      .whereIn('status', ['queued', 'awaiting_approval'])
      .update({ status: 'cancelled', finished_at: new Date().toISOString() });
    for (const id of blockers) {
      await request(server)
        .post(`/api/sled/deploys/${id}/cancel`)
        .set('Authorization', USER);
    }
    await backend.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** 1. DeployGates.evaluate in this process, on the real stores. */
async function evaluateAlone(
  database: string,
  knex: Knex,
  config: JsonObject,
  artifacts: Artifact[],
  ledger: { behind: number },
): Promise<BenchRow[]> {
  const reader = new ConfigReader(config);
  const gatesConfig = readGatesConfig(reader);
  const environment = readSledConfig(reader).environments.find(
    e => e.name === 'gated',
  )! as EnvironmentConfig;
  const stores = await createDeployStores({
    database: { getClient: async () => knex } as DatabaseService,
    skipMigrations: true,
  });
  const checks = new DeployChecks();
  checks.addCheck(benchCheck);
  const gates = new DeployGates({
    config: gatesConfig,
    promotions: stores.promotions,
    checks,
    artifactChecks: stores.artifactChecks,
  });
  const evaluate = (artifact: Artifact) =>
    gates.evaluate({
      phase: 'queue',
      entityRef: artifact.entityRef,
      environment,
      artifact,
      requestedBy: 'user:default/bench',
      dryRun: false,
      force: false,
    });
  const expected = 'promotion,window,check:bench-ok,approvals';
  const run = async (pool: Artifact[], count: number) => {
    const timings: number[] = [];
    const floor: number[] = [];
    const refused = new Map<string, number>();
    for (let i = -WARMUP; i < count; i++) {
      const artifact = pool[(i + WARMUP) % pool.length];
      const t: number[] = [];
      const verdict = await time(t, () => evaluate(artifact));
      if (i >= 0) timings.push(t[0]);
      // the machine's floor, interleaved: as many queries (the promotion
      // ledger's one and CI's results), doing nothing
      await time(t, async () => {
        for (let q = 0; q < 2; q++) await knex.raw('select 1');
      });
      if (i >= 0) floor.push(t[1]);
      const names = verdict.gates.map(g => g.name).join(',');
      if (!verdict.allowed || names !== expected) {
        const why = `${names}: ${verdict.gates
          .filter(g => !g.passed)
          .map(g => g.message)
          .join('; ')}`;
        refused.set(why, (refused.get(why) ?? 0) + 1);
      }
    }
    for (const [why, count_] of refused)
      process.stderr.write(
        `[bench] ${database}: gates: ${count_} evaluations not allowed as expected: ${why}\n`,
      );
    const wrong = [...refused.values()].reduce((a, b) => a + b, 0);
    return { timings, floor, wrong };
  };

  // SLED_BENCH_CPU_PROFILE=<dir>: this loop's CPU profile (profileSummary.ts)
  const fresh = await profiled('gates-evaluate', () =>
    run(artifacts.slice(0, FRESH), EVALUATIONS),
  );
  const behind = await run(artifacts.slice(FRESH), EVALUATIONS);

  // what each gate's own work costs (the same calls evaluate makes)
  const promotionSql: number[] = [];
  const checksSql: number[] = [];
  const windowsWarm: number[] = [];
  const windowsCold: number[] = [];
  const gatedWindows = gatesConfig.get('gated')!.windows;
  const warm = gates.windowsOf('gated')!;
  for (let i = 0; i < EVALUATIONS; i++) {
    const artifact = artifacts[i % FRESH];
    await time(promotionSql, () =>
      stores.promotions.promotionFacts({
        entityRef: artifact.entityRef,
        environment: 'staging',
        artifactId: artifact.id,
      }),
    );
    await time(checksSql, () => stores.artifactChecks.listChecks(artifact.id));
    await time(windowsWarm, async () => warm.stateAt(new Date()));
  }
  // a new DeployWindows: nothing cached, as at start-up and once after each
  // window edge (the cron library's next dates, in the windows' zone)
  for (let i = 0; i < 200; i++) {
    await time(windowsCold, async () =>
      new DeployWindows(gatedWindows).stateAt(new Date()),
    );
  }

  const p95 = percentile(fresh.timings, 95);
  const behindP95 = percentile(behind.timings, 95);
  const wrongNote = (wrong: number) =>
    wrong ? `; ${wrong} NOT allowed as expected, see stderr` : '';
  return [
    {
      metric: `gates: DeployGates.evaluate (promotion, 2 windows, a check, approvals) at ${rowsLabel} deploy rows, p50 / p95`,
      database,
      value: `${p5095(fresh.timings)} (${EVALUATIONS} evaluations${wrongNote(
        fresh.wrong,
      )})`,
      target: TARGET,
      ok: p95 < TARGET_MS && !fresh.wrong ? 'yes' : 'NO',
    },
    {
      metric: `  the same, artifact ${ledger.behind.toLocaleString(
        'en-US',
      )} staging deploys back, p50 / p95`,
      database,
      value: `${p5095(behind.timings)}${wrongNote(behind.wrong)}`,
      target: TARGET,
      ok: behindP95 < TARGET_MS && !behind.wrong ? 'yes' : 'NO',
    },
    {
      metric:
        '  floor: 2 round trips of `select 1`, after each evaluation, p50 / p95',
      database,
      value: p5095(fresh.floor),
      target: '',
      ok: '',
    },
    {
      metric:
        '  of which promotion ledger (1 round trip) / CI check results (1 read), p50 / p95',
      database,
      value: `${p5095(promotionSql)} / ${p5095(checksSql)}`,
      target: '',
      ok: '',
    },
    {
      metric:
        '  of which windows, cached / cold (new DeployWindows), p50 / p95',
      database,
      value: `${p5095(windowsWarm)} / ${p5095(windowsCold)}`,
      target: '',
      ok: '',
    },
  ];
}

/** 2. POST /deploys through the backend, `plain` and `gated` alternately. */
async function postDeploys(
  database: string,
  server: any,
  artifacts: Artifact[],
  blockers: string[],
): Promise<BenchRow[]> {
  // each plain target runs a long deploy: measured plain deploys only queue
  for (let i = 0; i < POST_TARGETS; i++) {
    const slow = await register(server, svc(i), 'slow');
    const res = await request(server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({ entityRef: svc(i), environment: 'plain', artifactId: slow.id });
    if (res.status !== 202)
      throw new Error(`blocker: ${res.status} ${JSON.stringify(res.body)}`);
    blockers.push(res.body.id);
  }
  await sleep(500);
  const timings: Record<'plain' | 'gated', number[]> = {
    plain: [],
    gated: [],
  };
  const statuses: Record<'plain' | 'gated', Map<string, number>> = {
    plain: new Map(),
    gated: new Map(),
  };
  // SLED_BENCH_CPU_PROFILE=<dir>: the backend's (and its client's) profile
  await profiled('gates-post-deploys', async () => {
    for (let i = -WARMUP; i < POSTS; i++) {
      const artifact = artifacts[(i + WARMUP) % POST_TARGETS];
      // alternate which goes first, so drift and background work fall on both
      const order: Array<'plain' | 'gated'> =
        i % 2 ? ['plain', 'gated'] : ['gated', 'plain'];
      for (const environment of order) {
        const t: number[] = [];
        const res = await time(t, () =>
          request(server)
            .post('/api/sled/deploys')
            .set('Authorization', USER)
            .send({
              entityRef: artifact.entityRef,
              environment,
              artifactId: artifact.id,
            }),
        );
        const status = `${res.status} ${
          res.body.status ?? res.body.error?.message
        }`;
        statuses[environment].set(
          status,
          (statuses[environment].get(status) ?? 0) + 1,
        );
        if (i >= 0) timings[environment].push(t[0]);
        // what a request sets off after answering (the dispatcher, approval
        // notifications) ends before the next one
        await sleep(2);
      }
    }
  });
  const expect = { plain: '202 queued', gated: '202 awaiting_approval' };
  const wrong = (environment: 'plain' | 'gated') => {
    const other = [...statuses[environment]].filter(
      ([s]) => s !== expect[environment],
    );
    for (const [s, count] of other)
      process.stderr.write(
        `[bench] ${database}: gates: POST /deploys to ${environment}: ${count} × ${s}\n`,
      );
    return other.reduce((a, [, c]) => a + c, 0);
  };
  const wrongPlain = wrong('plain');
  const wrongGated = wrong('gated');
  const note = (w: number) =>
    w ? `; ${w} unexpected answers, see stderr` : '';
  const d50 = percentile(timings.gated, 50) - percentile(timings.plain, 50);
  const d95 = percentile(timings.gated, 95) - percentile(timings.plain, 95);
  return [
    {
      metric: `POST /deploys, no gates (202 queued), at ${rowsLabel} deploy rows, p50 / p95`,
      database,
      value: `${p5095(timings.plain)} (${POSTS} requests${note(wrongPlain)})`,
      target: '',
      ok: '',
    },
    {
      metric: `POST /deploys, all gates (202 awaiting approval), p50 / p95`,
      database,
      value: `${p5095(timings.gated)} (${POSTS} requests${note(wrongGated)})`,
      target: '',
      ok: '',
    },
    {
      metric: `  gates' cost on POST /deploys (all gates − no gates), p50 / p95`,
      database,
      value: `${fine(d50)} / ${fine(d95)}`,
      target: TARGET,
      ok: d95 < TARGET_MS && !wrongPlain && !wrongGated ? 'yes' : 'NO',
    },
  ];
}
