/*
 * Kubernetes Job executor benchmark: a real sled backend (startTestBackend)
 * against the fake Kubernetes API server (HTTPS, real REST protocol, real
 * @kubernetes/client-node), its job controller made fast (a pod runs ~20 ms).
 *
 * - `POST /deploys` → Job created in the API server (p50/p95, target p95 < 50 ms)
 * - Job finished (controller marks Complete) → deploy final in the DB (p50/p95, target p95 < 1 s)
 * - 300 deploys to 300 services → all 300 Jobs created (seconds, target < 10 s), peak RSS/heap.
 *   (the 300-member deploy-group release itself is test/bench/release.ts)
 * - PostgreSQL only: deploy requests/s sustained by 100 concurrent clients, then lost /
 *   duplicate Jobs (exactly one Job per accepted deploy, every one of them succeeded).
 *
 * `benchKubernetes()` is hooked into test/bench/run.ts, as `benchCollator()` is; the
 * backend start-up and the Kubernetes config are test/bench/backend.ts's.
 * The fake API server runs in a child process of its own (FakeKubernetesProcess), as a
 * real API server runs elsewhere; the throughput row's 100 clients run in another
 * (loadClients.ts). So the backend's process serves the requests and runs the executor
 * only; the latency rows' and the burst's clients stay in it (supertest). The RSS/heap
 * figures are the backend's process. All processes share one machine and one clock.
 * SLED_BENCH_CPU_PROFILE=<dir> writes a CPU profile of the backend's process during the
 * throughput run (test/bench/profileSummary.ts summarizes it).
 */
import { Knex } from 'knex';
import request from 'supertest';
import {
  jobNameFor,
  LABEL_DEPLOY_ID,
} from '../../plugins/sled-backend/src/executors/kubernetes/jobSpec';
import { FakeKubernetesProcess } from '../kubernetes/fakeKubernetesProcess';
import { runLoad } from './loadClients';
import {
  BenchRow,
  baseUrl,
  gc,
  kubernetesBenchConfig,
  mb,
  ms,
  NAMESPACE,
  percentile,
  profiled,
  progress,
  quick,
  registerImageArtifacts,
  serviceEntities,
  sleep,
  startBenchBackend,
  USER,
} from './backend';

const SERVICES = 300;
const FINAL = ['succeeded', 'failed', 'cancelled', 'lost'];
const time = (v: unknown) => new Date(v as string).getTime();

/** Every deploy in `ids` (all of them when omitted) final, or false at the timeout. */
async function waitAllFinal(knex: Knex, timeoutMs: number, ids?: string[]) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const query = knex('sled_deploys').whereNotIn('status', FINAL);
    if (ids) query.whereIn('id', ids.length ? ids : ['-']);
    const [{ n }] = await query.count({ n: '*' });
    if (Number(n) === 0) return true;
    await sleep(100);
  }
  return false;
}

async function deploy(
  server: any,
  entityRef: string,
  artifactId: string,
  key?: string,
) {
  const req = request(server)
    .post('/api/sled/deploys')
    .set('Authorization', USER);
  if (key) req.set('Idempotency-Key', key);
  return req.send({
    entityRef,
    environment: 'staging',
    artifactId,
    force: true,
  });
}

/**
 * What deploys cost while it counts: the backend's SQL statements by kind, and
 * the requests to the API server. (Counting costs CPU, so the throughput run
 * does not count.)
 */
async function countCost(knex: Knex, fake: FakeKubernetesProcess) {
  const statements = new Map<string, number>();
  const countStatement = (q: { sql?: string }) => {
    const sql = (q.sql ?? '').replace(/\s+/g, ' ');
    const key = `${sql.split(' ')[0].toLowerCase()} ${
      sql.match(/(?:from|into|update) "?(\w+)"?/i)?.[1] ?? ''
    }`;
    statements.set(key, (statements.get(key) ?? 0) + 1);
  };
  knex.on('query', countStatement);
  const requestsBefore = (await fake.stats()).requests;
  return {
    async stop(deploys: number): Promise<string> {
      knex.removeListener('query', countStatement);
      const perDeploy = (v: number) => (v / Math.max(1, deploys)).toFixed(1);
      const kinds = Object.entries(await fake.requestKinds(requestsBefore));
      const apiRequests = kinds.reduce((sum, [, v]) => sum + v, 0);
      const sqlTotal = [...statements.values()].reduce((a, b) => a + b, 0);
      const list = (entries: [string, number][]) =>
        entries
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${perDeploy(v)}`)
          .join(', ');
      return `${perDeploy(sqlTotal)} SQL statements (${list([
        ...statements,
      ])}; the waits' polling included), ${perDeploy(
        apiRequests,
      )} Kubernetes API requests (${list(kinds)})`;
    },
  };
}

export async function benchKubernetes(
  database: string,
  knex: Knex,
  client: string,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // fast controller: the pod starts after 5 ms, prints two lines 5 ms apart, completes
  const fake = await FakeKubernetesProcess.start({
    behaviour: {
      lines: ['deploying\n', 'done\n'],
      intervalMs: 5,
      startDelayMs: 5,
    },
  });
  const backend = await startBenchBackend({
    knex,
    entities: serviceEntities(SERVICES, {
      'sled.dev/deploy-command': './deploy.sh --apply',
    }),
    config: kubernetesBenchConfig(fake, {
      kubernetes: {
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 3600,
        requestTimeoutSeconds: 10,
        watchTimeoutSeconds: 60,
      },
    }),
  });
  const server = backend.server;
  try {
    // one artifact per service
    const artifacts = await registerImageArtifacts(server, SERVICES);
    const ref = (i: number) => `component:default/svc-${i % SERVICES}`;

    // ------------------------------------------------------------ latencies, one deploy at a time
    progress(`${database}: Kubernetes latencies…`);
    const created: number[] = [];
    const finalised: number[] = [];
    const rounds = quick ? 50 : 200;
    for (let i = 0; i < rounds; i++) {
      const sent = Date.now();
      const res = await deploy(server, ref(i), artifacts[i % SERVICES]);
      if (res.status !== 202)
        throw new Error(`deploy: ${res.status} ${JSON.stringify(res.body)}`);
      const id: string = res.body.id;
      const name = jobNameFor(id);
      const deadline = Date.now() + 30_000;
      // the fake answers once it created the Job: no polling
      const job = await fake.waitForJob(NAMESPACE, name, 30_000);
      if (!job) throw new Error(`no Job for deploy ${id} after 30 s`);
      created.push(time(job.metadata.creationTimestamp) - sent);
      let row: any;
      while (Date.now() < deadline) {
        row = await knex('sled_deploys')
          .where({ id })
          .first('status', 'finished_at');
        if (row && FINAL.includes(row.status)) break;
        await sleep(2);
      }
      if (row?.status !== 'succeeded')
        throw new Error(`deploy ${id} ended ${row?.status}`);
      const complete = (await fake.getJob(
        NAMESPACE,
        name,
      ))!.status.conditions.find(
        (c: any) => c.type === 'Complete' && c.status === 'True',
      );
      finalised.push(time(row.finished_at) - time(complete.lastTransitionTime));
    }
    const c95 = percentile(created, 95);
    const f95 = percentile(finalised, 95);
    rows.push(
      {
        metric: 'POST /deploys → Job created in the API server, p50',
        database,
        value: ms(percentile(created, 50)),
        target: '',
        ok: '',
      },
      {
        metric: 'POST /deploys → Job created in the API server, p95',
        database,
        value: ms(c95),
        target: '< 50 ms',
        ok: c95 < 50 ? 'yes' : 'NO',
      },
      {
        metric: 'Job finished (Complete) → deploy final, p50',
        database,
        value: ms(percentile(finalised, 50)),
        target: '',
        ok: '',
      },
      {
        metric: 'Job finished (Complete) → deploy final, p95',
        database,
        value: ms(f95),
        target: '< 1 s',
        ok: f95 < 1000 ? 'yes' : 'NO',
      },
    );

    // ------------------------------------------------------------ burst: 300 deploys, 300 services
    progress(`${database}: 300 deploys to 300 services…`);
    await waitAllFinal(knex, 60_000);
    gc();
    const before = process.memoryUsage();
    let rssMax = before.rss;
    let heapMax = before.heapUsed;
    const sampler = setInterval(() => {
      const { rss, heapUsed } = process.memoryUsage();
      rssMax = Math.max(rssMax, rss);
      heapMax = Math.max(heapMax, heapUsed);
    }, 10);
    const createdBefore = await fake.createdJobs();
    const cost = await countCost(knex, fake);
    const start = Date.now();
    let acceptedAt = 0;
    const burst = Promise.all(
      Array.from({ length: SERVICES }, (_, i) =>
        deploy(server, ref(i), artifacts[i]),
      ),
    ).then(all => {
      acceptedAt = Date.now();
      return all;
    });
    // `at`: when the fake created the last of them (its clock: same machine), 0 at the timeout
    const { at: jobsAt, createdJobs: createdAfter } =
      await fake.waitForCreatedJobs(createdBefore + SERVICES, 120_000);
    const responses = await burst;
    clearInterval(sampler);
    const burstIds = responses
      .filter(r => r.status === 202)
      .map(r => r.body.id as string);
    const burstOk =
      jobsAt > 0 &&
      burstIds.length === SERVICES &&
      (await fake.missingJobs(NAMESPACE, burstIds.map(jobNameFor))).length ===
        0;
    const seconds = ((jobsAt || Date.now()) - start) / 1000;
    const burstFinished = await waitAllFinal(knex, 120_000, burstIds);
    progress(`${database}: per deploy ${await cost.stop(burstIds.length)}`);
    rows.push(
      {
        metric: `${SERVICES} deploys to ${SERVICES} services → all ${SERVICES} Jobs created`,
        database,
        value: `${seconds.toFixed(2)} s (all accepted in ${(
          (acceptedAt - start) /
          1000
        ).toFixed(2)} s${
          burstOk
            ? ''
            : `; only ${createdAfter - createdBefore} Jobs, ${
                burstIds.length
              } accepted`
        }${burstFinished ? '' : '; not all finished'})`,
        target: '< 10 s',
        ok: burstOk && seconds < 10 ? 'yes' : 'NO',
      },
      {
        metric: '  peak RSS / heap during the burst (backend process)',
        database,
        value: `RSS ${mb(before.rss)} → max ${mb(rssMax)}; heap ${mb(
          before.heapUsed,
        )} → max ${mb(heapMax)}`,
        target: '',
        ok: '',
      },
    );

    // ------------------------------------------------------------ sustained, PostgreSQL only
    if (client === 'pg') {
      progress(`${database}: Kubernetes throughput, 100 clients…`);
      const durationMs = quick ? 3000 : 10_000;
      const createdBeforeRun = await fake.createdJobs();
      // the 100 clients in a child process: this process only serves them
      const { accepted, errors, samples, elapsed } = await profiled(
        `kubernetes-throughput-${database}`,
        () =>
          runLoad({
            baseUrl: baseUrl(server),
            clients: 100,
            durationMs,
            authorization: USER,
            environment: 'staging',
            targets: artifacts.map((artifactId, i) => ({
              entityRef: ref(i),
              artifactId,
            })),
            keyPrefix: 'bench-k8s-',
          }),
      );
      if (samples.length)
        progress(
          `${database}: ${errors} requests failed, e.g. ${samples.join(' | ')}`,
        );
      const finished = await waitAllFinal(knex, 600_000, accepted);
      const jobsPerDeploy = new Map(
        Object.entries(await fake.jobsPerLabel(NAMESPACE, LABEL_DEPLOY_ID)),
      );
      const statuses = new Map<string, string>();
      for (let i = 0; i < accepted.length; i += 1000) {
        const chunk = await knex('sled_deploys')
          .whereIn('id', accepted.slice(i, i + 1000))
          .select('id', 'status');
        for (const r of chunk) statuses.set(r.id, r.status);
      }
      const unique = new Set(accepted);
      // lost: accepted, but no Job, or never succeeded
      const lost = [...unique].filter(
        id => !jobsPerDeploy.get(id) || statuses.get(id) !== 'succeeded',
      ).length;
      // duplicated: more than one Job (or deploy) for one accepted deploy, or Jobs beyond one per accepted deploy
      const jobsCreated = (await fake.createdJobs()) - createdBeforeRun;
      const withJob = [...unique].filter(id => jobsPerDeploy.get(id)).length;
      const duplicated =
        accepted.length -
        unique.size +
        [...unique].reduce(
          (sum, id) => sum + Math.max(0, (jobsPerDeploy.get(id) ?? 0) - 1),
          0,
        ) +
        Math.max(0, jobsCreated - withJob);
      const rate = accepted.length / elapsed;
      rows.push(
        {
          metric: 'deploy requests/s, 100 clients, Kubernetes Jobs',
          database,
          value: `${rate.toFixed(0)}/s (${accepted.length} in ${elapsed.toFixed(
            1,
          )} s, ${errors} errors)`,
          target: '≥ 100/s',
          ok: rate >= 100 && errors === 0 ? 'yes' : 'NO',
        },
        {
          metric: `  then lost / duplicate Jobs (${jobsCreated} Jobs for ${accepted.length} deploys)`,
          database,
          value: `${lost} / ${duplicated}${
            finished ? '' : ' (not all finished)'
          }`,
          target: '0 / 0',
          ok:
            lost === 0 &&
            duplicated === 0 &&
            finished &&
            jobsCreated === accepted.length
              ? 'yes'
              : 'NO',
        },
      );
    }
  } finally {
    await backend.stop();
    await fake.stop();
  }
  return rows;
}
