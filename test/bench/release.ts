/*
 * Release benchmark: a 300-member deploy group released to a Kubernetes
 * environment against the fake Kubernetes API server (HTTPS, real
 * @kubernetes/client-node), through the real REST API (`POST /releases`).
 *
 * Reports, for each release parallelism: POST /releases → all 300 Jobs
 * created (target < 10 s) and → release final; failures (members that did
 * not succeed, Job creations whose response the client lost and retried,
 * deploy logs missing their tail); heap growth and peak RSS of the backend's
 * process (the fake API server runs in a child process of its own,
 * FakeKubernetesProcess, as a real one runs elsewhere).
 *
 * `benchRelease()` is hooked into test/bench/run.ts (`SLED_BENCH_ONLY=release yarn bench`,
 * which running this file directly also does); SLED_BENCH_RELEASE_PARALLELISM picks the
 * parallelisms, comma-separated (default 25,100).
 */
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import request from 'supertest';
import { FakeKubernetesProcess } from '../kubernetes/fakeKubernetesProcess';
import {
  BenchRow,
  gc,
  kubernetesBenchConfig,
  mb,
  progress,
  registerImageArtifacts,
  serviceEntities,
  sleep,
  startBenchBackend,
  USER,
} from './backend';

const MEMBERS = 300;
const TARGET_MS = 10_000;
/** what the fake controller makes each pod print */
const LOG = ['deploying\n', 'done\n'];

export const releaseParallelisms = (
  process.env.SLED_BENCH_RELEASE_PARALLELISM ?? '25,100'
)
  .split(',')
  .map(p => Number(p.trim()));

function entities(): Entity[] {
  const services = serviceEntities(MEMBERS, {
    'sled.dev/deploy-command': './deploy.sh',
  });
  return [
    ...services,
    {
      apiVersion: 'sled.dev/v1alpha1',
      kind: 'DeployGroup',
      metadata: { name: 'mono-deploy', namespace: 'default' },
      spec: {
        owner: 'group:default/team',
        members: services.map(s => `component:default/${s.metadata.name}`),
      },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/team' }],
    },
  ];
}

/** One 300-member release at `parallelism`, on a backend of its own. */
async function release(
  database: string,
  knex: Knex,
  parallelism: number,
): Promise<BenchRow[]> {
  const fake = await FakeKubernetesProcess.start({
    behaviour: { lines: LOG, intervalMs: 5, startDelayMs: 5 },
  });
  const backend = await startBenchBackend({
    knex,
    entities: entities(),
    config: kubernetesBenchConfig(fake, { releases: { parallelism } }),
  });
  try {
    await registerImageArtifacts(backend.server, MEMBERS);
    gc();
    const before = process.memoryUsage();
    let rssMax = before.rss;
    let heapMax = before.heapUsed;
    const sampler = setInterval(() => {
      const { rss, heapUsed } = process.memoryUsage();
      rssMax = Math.max(rssMax, rss);
      heapMax = Math.max(heapMax, heapUsed);
    }, 10);

    const start = Date.now();
    const res = await request(backend.server)
      .post('/api/sled/releases')
      .set('Authorization', USER)
      .send({ deployGroup: 'mono-deploy', environment: 'staging' });
    if (res.status !== 202)
      throw new Error(`release: ${res.status} ${JSON.stringify(res.body)}`);
    const accepted = Date.now() - start;
    const releaseStatus = async () =>
      (await knex('sled_releases').where({ id: res.body.id }).first('status'))
        .status as string;
    // the fake answers when it created the MEMBERS-th Job (`at`, its clock: same machine);
    // every 100 ms without it, is the release still running?
    let created = { createdJobs: 0, at: 0 };
    while (Date.now() - start < 120_000) {
      created = await fake.waitForCreatedJobs(MEMBERS, 100);
      if (created.at || (await releaseStatus()) !== 'running') break; // all there, or stopped by a failure
    }
    const allJobs = (created.at || Date.now()) - start;
    let status = 'running';
    while (status === 'running' && Date.now() - start < 180_000) {
      await sleep(50);
      status = await releaseStatus();
    }
    const finished = Date.now() - start;
    clearInterval(sampler);

    const deploys: Array<{ id: string; status: string }> = await knex(
      'sled_deploys',
    )
      .where({ release_id: res.body.id })
      .select('id', 'status');
    const succeeded = deploys.filter(d => d.status === 'succeeded').length;
    const failedMembers = MEMBERS - succeeded;
    // every Job is created once: a second POST means the client lost the answer to the first
    const createdJobs = await fake.createdJobs();
    const retriedCreates =
      (await fake.countRequests('POST', '/jobs')) - createdJobs;
    const logs = new Map<string, string>();
    const chunks: Array<{ deploy_id: string; text: string }> = await knex(
      'sled_deploy_logs',
    )
      .whereIn('deploy_id', deploys.length ? deploys.map(d => d.id) : ['-'])
      .orderBy(['deploy_id', 'chunk'])
      .select('deploy_id', 'text');
    for (const c of chunks)
      logs.set(c.deploy_id, (logs.get(c.deploy_id) ?? '') + c.text);
    const lostLogs = deploys.filter(
      d => logs.get(d.id) !== LOG.join(''),
    ).length;
    const allCreated = createdJobs >= MEMBERS;
    const clean = failedMembers === 0 && retriedCreates === 0 && lostLogs === 0;
    return [
      {
        metric: `${MEMBERS}-member release, parallelism ${parallelism} → all ${MEMBERS} Jobs created`,
        database,
        value: `${(allJobs / 1000).toFixed(2)} s${
          allCreated ? '' : ` (only ${createdJobs} Jobs: the release stopped)`
        } (accepted in ${accepted} ms; release ${status} in ${(
          finished / 1000
        ).toFixed(2)} s, ${succeeded}/${MEMBERS} members succeeded)`,
        target: '< 10 s',
        ok: allCreated && allJobs < TARGET_MS ? 'yes' : 'NO',
      },
      {
        metric:
          '  failed members / lost Job-create answers (retried) / logs missing their tail',
        database,
        value: `${failedMembers} / ${retriedCreates} / ${lostLogs}`,
        target: '0 / 0 / 0',
        ok: clean ? 'yes' : 'NO',
      },
      {
        metric: '  heap growth / peak RSS during the release (backend process)',
        database,
        value: `+${mb(heapMax - before.heapUsed)} / ${mb(rssMax)}`,
        target: '',
        ok: '',
      },
    ];
  } finally {
    await backend.stop();
    await fake.stop();
  }
}

/** The 300-member release at each of `parallelisms`, each on a fresh database from `database()`. */
export async function benchRelease(
  name: string,
  database: () => Promise<Knex>,
  parallelisms = releaseParallelisms,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const parallelism of parallelisms) {
    progress(`${name}: ${MEMBERS}-member release, parallelism ${parallelism}…`);
    rows.push(...(await release(name, await database(), parallelism)));
  }
  return rows;
}

// `node --require @backstage/cli/config/nodeTransform.cjs test/bench/release.ts` is
// `SLED_BENCH_ONLY=release yarn bench`: run.ts prints the table
if (require.main === module) {
  process.env.SLED_BENCH_ONLY = 'release';
  require('./run');
}
