/*
 * Release benchmark: a 300-member deploy group released to a Kubernetes
 * environment against the fake Kubernetes API server (HTTPS, real
 * @kubernetes/client-node), through the real REST API (`POST /releases`).
 *
 * Reports: POST /releases → all 300 Jobs created (target < 10 s), → release
 * succeeded, and peak RSS / heap growth (backend, fake API server and client
 * share one process). SQLite in memory.
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs test/bench/release.ts
 */
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import knexFactory from 'knex';
import request from 'supertest';
import sledPlugin from '../../plugins/sled-backend/src';
import { FakeKubernetesApi } from '../kubernetes/FakeKubernetesApi';

const MEMBERS = 300;
const PARALLELISM = Number(process.env.SLED_BENCH_RELEASE_PARALLELISM ?? 25);
const NAMESPACE = 'sled-deploys';
const USER = mockCredentials.user.header('user:default/bench');
const CI = mockCredentials.service.header();
const sleep = (t: number) => new Promise(r => setTimeout(r, t));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function entities(): Entity[] {
  const services: Entity[] = Array.from({ length: MEMBERS }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: `svc-${i}`, namespace: 'default', annotations: { 'sled.dev/deploy-command': './deploy.sh' } },
    spec: { type: 'service', owner: 'group:default/team', lifecycle: 'production' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team' }],
  }));
  return [
    ...services,
    {
      apiVersion: 'sled.dev/v1alpha1',
      kind: 'DeployGroup',
      metadata: { name: 'mono-deploy', namespace: 'default' },
      spec: { owner: 'group:default/team', members: services.map(s => `component:default/${s.metadata.name}`) },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/team' }],
    },
  ];
}

async function main() {
  const fake = await FakeKubernetesApi.start();
  fake.behave = () => ({ lines: ['deploying\n', 'done\n'], intervalMs: 5, startDelayMs: 5 });
  const knex = knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true });
  const backend = await startTestBackend({
    features: [
      sledPlugin,
      catalogServiceMock.factory({ entities: entities() }),
      mockServices.database.factory({ knex }),
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  { name: 'bench', url: fake.url, authProvider: 'serviceAccount', serviceAccountToken: fake.token, caData: fake.caData },
                ],
              },
            ],
          },
          sled: {
            environments: [{ name: 'staging', executor: 'kubernetes', cluster: 'bench', namespace: NAMESPACE }],
            releases: { parallelism: PARALLELISM },
            kubernetes: { defaultDeployerImage: 'ghcr.io/example/sled-deployer:1' },
          },
        },
      }),
    ],
  });
  try {
    for (let i = 0; i < MEMBERS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, MEMBERS - i) }, async (_, j) => {
          const res = await request(backend.server)
            .post('/api/sled/artifacts')
            .set('Authorization', CI)
            .send({ entityRef: `component:default/svc-${i + j}`, version: '1.0.0', commitSha: 'abcdef1234567', image: 'registry.example/app:1.0.0' });
          if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
        }),
      );
    }
    global.gc?.();
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
    if (res.status !== 202) throw new Error(`release: ${res.status} ${JSON.stringify(res.body)}`);
    const accepted = Date.now() - start;
    const releaseStatus = async () =>
      (await knex('sled_releases').where({ id: res.body.id }).first('status')).status as string;
    let polls = 0;
    while (fake.createdJobs < MEMBERS && Date.now() - start < 120_000) {
      await sleep(5);
      if (++polls % 20 === 0 && (await releaseStatus()) !== 'running') break; // stopped by a failure
    }
    const allJobs = Date.now() - start;
    let status = 'running';
    while (status === 'running' && Date.now() - start < 180_000) {
      await sleep(50);
      status = await releaseStatus();
    }
    const finished = Date.now() - start;
    clearInterval(sampler);
    const [{ n: succeeded }] = await knex('sled_deploys').where({ release_id: res.body.id, status: 'succeeded' }).count({ n: '*' });

    const jobsNote = fake.createdJobs < MEMBERS ? ` (only ${fake.createdJobs} Jobs: the release stopped)` : '';
    const rows = [
      ['POST /releases accepted (300 members resolved, authorized, written)', `${accepted} ms`, ''],
      [`POST /releases → all ${MEMBERS} Jobs created (parallelism ${PARALLELISM})`, `${(allJobs / 1000).toFixed(2)} s${jobsNote}`, allJobs < 10_000 && !jobsNote ? '< 10 s: yes' : '< 10 s: NO'],
      ['POST /releases → release final', `${(finished / 1000).toFixed(2)} s (${status}, ${succeeded}/${MEMBERS} succeeded, ${fake.createdJobs} Jobs)`, ''],
      ['peak RSS / heap growth during the release', `${mb(rssMax)} / +${mb(heapMax - before.heapUsed)}`, ''],
    ];
    for (const [metric, value, target] of rows) process.stdout.write(`${metric}: ${value}${target ? `  [${target}]` : ''}\n`);
  } finally {
    await backend.stop();
    await fake.stop();
    await knex.destroy();
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
