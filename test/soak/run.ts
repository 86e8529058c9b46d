/*
 * The chaos soak: `./scripts/soak --minutes N` (installs what is missing and
 * starts PostgreSQL first). TEST-ONLY.
 *
 * Two sled backends, each in a process of its own, share one PostgreSQL
 * database and deploy through the Kubernetes executor to the fake Kubernetes
 * API (its own process), into which faults are injected every 1–3 s: 5xx,
 * lost answers, slow Job creation, slow and dropped watches, 410 Expired,
 * reset connections, requests never answered. Simulated users deploy, cancel,
 * roll back, lock and release meanwhile, and a driver SIGKILLs a backend every
 * 20–40 s and starts a new one in its place. Then the users stop, the faults
 * stop, the backends drain, and the invariants are checked from the database
 * and the fake API (test/soak/invariants.ts). Prints a table; exits 1 if an
 * invariant fails.
 *
 *   --minutes N        how long the users and the chaos run (default 10)
 *   SLED_SOAK_USERS    simulated users (default 8)
 *   SLED_SOAK_LOGS     folder for the backends' logs (default: a temporary one)
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { ACTIVE_DEPLOY_STATUSES } from '@internal/plugin-sled-common';
import knexFactory from 'knex';
import { LABEL_DEPLOY_ID } from '../../plugins/sled-backend/src/executors/kubernetes/jobSpec';
import { kubernetesBenchConfig, NAMESPACE, PG } from '../bench/backend';
import { FakeKubernetesProcess } from '../kubernetes/fakeKubernetesProcess';
import { Chaos } from './Chaos';
import { checkInvariants, soakLines, waitUntilFinal } from './invariants';
import { SimulatedUsers } from './SimulatedUsers';
import { SoakBackendProcess } from './SoakBackendProcess';

const LINES = 8;
const SERVICES = 16;
/** a deploy group of the first GROUP_MEMBERS services */
const GROUP_MEMBERS = 4;
const DRAIN_MS = 240_000;

function argMinutes(): number {
  const at = process.argv.indexOf('--minutes');
  const value = at >= 0 ? Number(process.argv[at + 1]) : 10;
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`--minutes: expected a positive number of minutes`);
  }
  return value;
}

const progress = (text: string) =>
  process.stderr.write(`[soak ${new Date().toISOString()}] ${text}\n`);

function entities() {
  const owner = 'group:default/team-soak';
  const services = Array.from({ length: SERVICES }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `soak-${i}`,
      namespace: 'default',
      annotations: { 'sled.dev/deploy-command': './deploy.sh --apply' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-soak' },
    relations: [
      { type: 'ownedBy', targetRef: owner },
      ...(i < GROUP_MEMBERS
        ? [{ type: 'deployMemberOf', targetRef: 'deploygroup:default/soak' }]
        : []),
    ],
  }));
  const group = {
    apiVersion: 'sled.dev/v1alpha1',
    kind: 'DeployGroup',
    metadata: { name: 'soak', namespace: 'default' },
    spec: {
      owner: 'team-soak',
      members: services
        .slice(0, GROUP_MEMBERS)
        .map(s => `component:default/${s.metadata.name}`),
    },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
  return [...services, group];
}

async function main() {
  const minutes = argMinutes();
  if (!PG) {
    throw new Error(
      'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is not set: run ./scripts/soak, which starts PostgreSQL',
    );
  }
  const logDir =
    process.env.SLED_SOAK_LOGS ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'sled-soak-'));
  fs.mkdirSync(logDir, { recursive: true });

  const database = `sled_soak_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: `${PG}/postgres` });
  await admin.raw(`CREATE DATABASE ${database}`);
  const connection = `${PG}/${database}`;
  const knex = knexFactory({ client: 'pg', connection, pool: { max: 4 } });

  const fake = await FakeKubernetesProcess.start({
    behaviour: { lines: soakLines(LINES), intervalMs: 100, startDelayMs: 100 },
  });
  const config = kubernetesBenchConfig(fake, {
    kubernetes: {
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      requestTimeoutSeconds: 5,
      watchTimeoutSeconds: 10,
    },
  });
  const options = { connection, config, entities: entities() };
  let starts = 0;
  const start = () =>
    SoakBackendProcess.start(
      options,
      path.join(logDir, `backend-${++starts}.log`),
    );
  progress(`starting two backends (logs in ${logDir})`);
  // one first: it runs the migrations
  const backends = [await start()];
  backends.push(await start());

  const services = options.entities
    .filter(e => e.kind === 'Component')
    .map(e => `component:default/${e.metadata.name}`);
  const users = new SimulatedUsers({
    urls: () => backends.filter(b => b.alive).map(b => b.url),
    services,
    deployGroup: 'deploygroup:default/soak',
    environment: 'staging',
  });
  await users.prepare();

  const chaos = new Chaos({
    backends,
    restart: async index => {
      progress(`killed backend ${index + 1}; starting a new one`);
      return start();
    },
    fake,
    unfinished: async () =>
      (
        await knex('sled_deploys')
          .whereIn('status', ACTIVE_DEPLOY_STATUSES)
          .select('id')
      ).map(r => r.id),
  });
  const began = Date.now();
  progress(`users and chaos for ${minutes} min`);
  chaos.start();
  const running = users.run(Number(process.env.SLED_SOAK_USERS ?? 8));
  await new Promise(r => setTimeout(r, minutes * 60_000));
  users.stop();
  await running;
  await chaos.stop();
  await users.unlockAll();
  progress(
    `users stopped after ${users.requests} requests; waiting for every deploy and release to end`,
  );
  const drained = await waitUntilFinal(knex, DRAIN_MS);
  const drainedAfter = Date.now();

  const report = await checkInvariants(knex, fake, {
    namespace: NAMESPACE,
    label: LABEL_DEPLOY_ID,
    lines: LINES,
  });
  // after a kill, how long until what had not ended then ended
  const finished = new Map<string, number>(
    (
      await knex('sled_deploys')
        .select('id', 'finished_at')
        .whereNotNull('finished_at')
    ).map(r => [r.id, new Date(r.finished_at).getTime()]),
  );
  const afterKill = chaos.kills.map(kill =>
    Math.max(
      0,
      ...kill.unfinished.map(
        id => (finished.get(id) ?? drainedAfter) - kill.at,
      ),
    ),
  );
  const statuses: Array<{ status: string; n: number | string }> = await knex(
    'sled_deploys',
  )
    .select('status')
    .count({ n: '*' })
    .groupBy('status');

  for (const b of backends) await b.stop();
  await fake.stop();
  await knex.destroy();

  const failures: Array<[string, string[]]> = [
    ['lost', report.lost],
    ['duplicated (more than one Job per deploy)', report.duplicated],
    ['stuck (not final at the end)', report.stuck],
    ['ran without a Job', report.withoutJob],
    ['Job running for an ended deploy', report.runningAfterEnd],
    ['two running deploys on one target', report.overlapping],
    ['log incomplete, repeated or out of order', report.badLogs],
    ['releases not final', report.releasesStuck],
    // SLeD's own errors, and a soak too quiet to prove anything
    [
      'answers 5xx from SLeD',
      [...users.answers]
        .filter(([key]) => / 5\d\d$/.test(key))
        .map(([key, n]) => `${key} × ${n}`),
    ],
    [
      'too little happened (no kill, or fewer than 10 deploys ran)',
      chaos.kills.length === 0 || report.ran < 10
        ? [`${chaos.kills.length} kills, ${report.ran} deploys ran`]
        : [],
    ],
  ];
  const faults = [...chaos.faults.values()].reduce((a, b) => a + b, 0);
  const rows: Array<[string, string]> = [
    ['soak', `${minutes} min, 2 backends, ${SERVICES} services, PostgreSQL`],
    ['requests', `${users.requests} (${summary(users.answers)})`],
    [
      'deploys',
      `${report.deploys} (${statuses
        .map(s => `${s.status} ${s.n}`)
        .join(', ')}), ${report.ran} ran`,
    ],
    ['releases', String(report.releases)],
    ['kills (SIGKILL)', String(chaos.kills.length)],
    ['faults injected', `${faults} (${summary(chaos.faults)})`],
    ...failures.map(
      ([name, list]) => [name, String(list.length)] as [string, string],
    ),
    [
      'longest time to final after a kill',
      afterKill.length
        ? `${(Math.max(...afterKill) / 1000).toFixed(1)} s`
        : '-',
    ],
    [
      'drained',
      drained
        ? `yes, ${((drainedAfter - began) / 1000 - minutes * 60).toFixed(
            0,
          )} s after the users stopped`
        : 'no',
    ],
  ];
  const width = Math.max(...rows.map(r => r[0].length));
  process.stdout.write(
    `\n| ${'check'.padEnd(width)} | result |\n|${'-'.repeat(
      width + 2,
    )}|--------|\n${rows
      .map(([k, v]) => `| ${k.padEnd(width)} | ${v} |`)
      .join('\n')}\n`,
  );
  const failed = failures.filter(([, list]) => list.length);
  for (const [name, list] of failed) {
    process.stdout.write(`\n${name}:\n  ${list.slice(0, 20).join('\n  ')}\n`);
  }
  if (failed.length || !drained) {
    // kept to look into: the database and the backends' logs
    await admin.destroy();
    process.stdout.write(
      `\nsoak FAILED (database ${database}, backend logs: ${logDir})\n`,
    );
    process.exit(1);
  }
  await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [database]);
  await admin.destroy();
  process.stdout.write('\nsoak passed: nothing lost, duplicated or stuck\n');
  if (!process.env.SLED_SOAK_LOGS)
    fs.rmSync(logDir, { recursive: true, force: true });
}

function summary(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
