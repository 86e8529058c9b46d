import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Deploy, isFinalDeployStatus } from '@internal/plugin-sled-common';
import { sledDeployChecksExtensionPoint } from '@internal/plugin-sled-node';
import request from 'supertest';
import { eventually } from '../../__testUtils__/processes';
import {
  USER,
  waitForEnd,
  waitForStatus,
} from '../../__testUtils__/sledBackend';
import {
  FakeKubernetesApi,
  NAMESPACE,
  kubeService,
  kubernetesConfig,
  readLogs,
  registerArtifact,
  requestDeploy,
  startKubernetesBackend,
} from './__testUtils__/kubernetesBackend';
import { jobNameFor } from './jobSpec';

jest.setTimeout(120_000);

/**
 * Stops a backend: its shut-down writes every buffered log line before it
 * returns (DeployService.shutdown → DeployLogs.flushAll).
 */
async function stopBackend(backend: TestBackend, list: TestBackend[]) {
  await backend.stop();
  list.splice(list.indexOf(backend), 1);
}

type CapturedTask = SchedulerServiceTaskScheduleDefinition & {
  id: string;
  fn: (signal: AbortSignal) => Promise<void>;
};

/** A scheduler that only records the tasks, for a test to run by hand. */
function capturingScheduler() {
  const tasks: CapturedTask[] = [];
  const scheduler = createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory: () =>
      ({
        scheduleTask: async (task: CapturedTask) => {
          tasks.push(task);
        },
      } as any),
  });
  return { scheduler, tasks };
}

const LINES = Array.from({ length: 30 }, (_, i) => `rollout step ${i}\n`);

// Several backends share one database here, so it must be a server. Without
// one configured (./scripts/test starts one; see BACKSTAGE_TEST_DATABASE_
// POSTGRES15_CONNECTION_STRING in scripts/postgres.sh) the suite is skipped,
// except in CI, where setupTests.ts fails the run instead.
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const describeWithPostgres =
  databases.eachSupportedId().length > 0 ? describe : describe.skip;
const POSTGRES: [TestDatabaseId][] = [['POSTGRES_15']];

describeWithPostgres(
  'Kubernetes deploys across backend restarts and replicas',
  () => {
    let fake: FakeKubernetesApi;
    const backends: TestBackend[] = [];

    beforeEach(async () => {
      fake = await FakeKubernetesApi.start();
    });

    afterEach(async () => {
      for (const b of backends.splice(0)) await b.stop().catch(() => {});
      await fake.stop();
    });

    it.each(POSTGRES)(
      'a new backend records the outcome and full log of a Job that finished while none ran (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        // 6 s: long enough that the first backend stops before the Job ends
        fake.behave = () => ({ lines: LINES, intervalMs: 200 });
        const first = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(first);
        const artifactId = await registerArtifact(
          first,
          'component:default/shop',
        );
        const id = await requestDeploy(
          first,
          'component:default/shop',
          artifactId,
        );
        await waitForStatus(first, id, 'running');
        // some of the log is recorded by the first backend
        await eventually(
          async () =>
            expect((await readLogs(first, id)).length).toBeGreaterThan(0),
          10_000,
        );
        await stopBackend(first, backends);

        // the Job finishes with no backend running
        await eventually(() => {
          const job = fake.getJob(NAMESPACE, jobNameFor(id));
          expect(
            job?.status?.conditions?.some((c: any) => c.type === 'Complete'),
          ).toBe(true);
        }, 30_000);
        const stored = await knex('sled_deploys').where({ id }).first();
        expect(stored.status).toBe('running');

        const second = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(second);
        const done = await waitForEnd(second, id);
        expect(done.status).toBe('succeeded');
        expect(await readLogs(second, id)).toBe(LINES.join(''));
        expect(fake.createdJobs).toBe(1);
      },
    );

    it.each(POSTGRES)(
      'a new backend re-attaches to a Job still running, and creates Jobs never launched (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        fake.behave = () => ({ lines: LINES, intervalMs: 60 });
        const first = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop'), kubeService('cart')],
        });
        backends.push(first);
        const shopArtifact = await registerArtifact(
          first,
          'component:default/shop',
        );
        const cartArtifact = await registerArtifact(
          first,
          'component:default/cart',
        );
        const running = await requestDeploy(
          first,
          'component:default/shop',
          shopArtifact,
        );
        await eventually(
          async () =>
            expect((await readLogs(first, running)).length).toBeGreaterThan(0),
          10_000,
        );

        // a deploy claimed as running whose backend died before creating the Job:
        // made by removing the Job and its handle while no backend runs
        fake.behave = () => ({
          lines: LINES,
          intervalMs: 60,
          startDelayMs: 60_000,
        });
        const neverLaunched = await requestDeploy(
          first,
          'component:default/cart',
          cartArtifact,
        );
        await eventually(async () =>
          expect(
            (
              await knex('sled_deploys').where({ id: neverLaunched }).first()
            ).execution,
          ).toBeTruthy(),
        );
        await stopBackend(first, backends);
        fake.removeJob(
          (fake as any).jobs.get(`${NAMESPACE}/${jobNameFor(neverLaunched)}`),
        );
        await knex('sled_deploys')
          .where({ id: neverLaunched })
          .update({ execution: null });
        expect(
          (await knex('sled_deploys').where({ id: neverLaunched }).first())
            .status,
        ).toBe('running');
        fake.behave = () => ({ lines: LINES, intervalMs: 60 });

        const second = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop'), kubeService('cart')],
        });
        backends.push(second);
        const [a, b] = await Promise.all([
          waitForEnd(second, running, 30_000),
          waitForEnd(second, neverLaunched, 30_000),
        ]);
        expect(a.status).toBe('succeeded');
        expect(b.status).toBe('succeeded');
        expect(await readLogs(second, running)).toBe(LINES.join(''));
        expect(await readLogs(second, neverLaunched)).toBe(LINES.join(''));
        expect(fake.createdJobs).toBe(3);
      },
    );

    it.each(POSTGRES)(
      'a deploy whose Job vanished while no backend ran ends as lost (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        // never ends by itself: only its removal ends it
        fake.behave = () => ({
          lines: LINES,
          intervalMs: 60,
          runForever: true,
        });
        const first = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(first);
        const artifactId = await registerArtifact(
          first,
          'component:default/shop',
        );
        const id = await requestDeploy(
          first,
          'component:default/shop',
          artifactId,
        );
        await eventually(() =>
          expect(fake.getJob(NAMESPACE, jobNameFor(id))).toBeDefined(),
        );
        await eventually(async () =>
          expect(
            (
              await knex('sled_deploys').where({ id }).first()
            ).execution,
          ).toBeTruthy(),
        );
        await stopBackend(first, backends);
        fake.removeJob(
          (fake as any).jobs.get(`${NAMESPACE}/${jobNameFor(id)}`),
        );

        const second = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(second);
        const done = await waitForEnd(second, id);
        expect(done.status).toBe('lost');
        expect(done.message).toMatch(
          new RegExp(
            `^lost: the Job ${NAMESPACE}/${jobNameFor(id)} no longer exists`,
          ),
        );
      },
    );

    it.each(POSTGRES)(
      'a live replica takes over the Job of a replica that died, and its reconcile task follows it up when the take-over could not read the Job (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        // 6 s: long enough that the dying backend stops before the Job ends
        fake.behave = () => ({ lines: LINES, intervalMs: 200 });
        const { scheduler, tasks } = capturingScheduler();
        const live = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
          features: [scheduler],
        });
        backends.push(live);
        expect(tasks.map(t => [t.id, t.scope, t.frequency, t.timeout])).toEqual(
          [
            [
              'sled-kubernetes-reconcile',
              'local',
              { seconds: 30 },
              { minutes: 2 },
            ],
            [
              'sled-take-over-deploys',
              'local',
              { seconds: 30 },
              { minutes: 2 },
            ],
          ],
        );
        const runTask = (taskId: string) =>
          tasks.find(t => t.id === taskId)!.fn(new AbortController().signal);
        const dying = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(dying);
        const artifactId = await registerArtifact(
          dying,
          'component:default/shop',
        );
        const id = await requestDeploy(
          dying,
          'component:default/shop',
          artifactId,
        );
        const jobPath = `/jobs/${jobNameFor(id)}`;
        await eventually(
          async () =>
            expect((await readLogs(dying, id)).length).toBeGreaterThan(0),
          10_000,
        );
        await stopBackend(dying, backends);
        expect((await knex('sled_deploys').where({ id }).first()).status).toBe(
          'running',
        );
        await eventually(
          () =>
            expect(
              fake
                .getJob(NAMESPACE, jobNameFor(id))
                ?.status?.conditions?.some((c: any) => c.type === 'Complete'),
            ).toBe(true),
          30_000,
        );
        // older than the grace period of the reconcile task
        await knex('sled_deploys')
          .where({ id })
          .update({ started_at: new Date(Date.now() - 60_000).toISOString() });

        // the reconcile task handles only this replica's deploys: the dead
        // replica's is left to the take-over, which hands it to one replica
        await runTask('sled-kubernetes-reconcile');
        expect(fake.requestsTo('GET', jobPath)).toHaveLength(0);
        expect((await knex('sled_deploys').where({ id }).first()).status).toBe(
          'running',
        );

        // the take-over cannot read the Job (403): the deploy is now this
        // replica's, but nothing follows it yet
        fake.failNext(
          1,
          403,
          r => r.method === 'GET' && r.path.endsWith(jobPath),
        );
        await runTask('sled-take-over-deploys');
        expect(fake.requestsTo('GET', jobPath)).toHaveLength(1);
        const taken = await knex('sled_deploys').where({ id }).first();
        expect(taken.status).toBe('running');
        const liveRunner = taken.runner;
        expect(liveRunner).toBeTruthy();

        // the next reconcile pass reads the Job and records it
        await runTask('sled-kubernetes-reconcile');
        const done = await waitForEnd(live, id);
        expect(done.status).toBe('succeeded');
        expect(await readLogs(live, id)).toBe(LINES.join(''));
        expect(fake.requestsTo('GET', jobPath)).toHaveLength(2);
        expect((await knex('sled_deploys').where({ id }).first()).runner).toBe(
          liveRunner,
        );
      },
    );

    it.each(POSTGRES)(
      'a replica starting beside a live one leaves the deploys that one follows alone (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        // 6 s: still running when the second replica has started
        fake.behave = () => ({ lines: LINES, intervalMs: 200 });
        const live = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(live);
        const artifactId = await registerArtifact(
          live,
          'component:default/shop',
        );
        const id = await requestDeploy(
          live,
          'component:default/shop',
          artifactId,
        );
        await eventually(
          async () =>
            expect((await readLogs(live, id)).length).toBeGreaterThan(0),
          10_000,
        );
        const logRequestsBefore = fake.requestsTo('GET', '/log').length;
        const { runner } = await knex('sled_deploys').where({ id }).first();

        const { scheduler, tasks } = capturingScheduler();
        const starting = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
          features: [scheduler],
        });
        backends.push(starting);
        // its start-up take-over has run, while the deploy still ran
        expect((await knex('sled_deploys').where({ id }).first()).status).toBe(
          'running',
        );
        // nor does its reconcile task read the Job, however old the deploy
        await knex('sled_deploys')
          .where({ id })
          .update({ started_at: new Date(Date.now() - 60_000).toISOString() });
        await tasks
          .find(t => t.id === 'sled-kubernetes-reconcile')!
          .fn(new AbortController().signal);
        const done = await waitForEnd(live, id, 30_000);
        expect(done.status).toBe('succeeded');
        // one log, written once: the new replica neither followed nor re-read it
        expect(await readLogs(live, id)).toBe(LINES.join(''));
        const row = await knex('sled_deploys').where({ id }).first();
        expect(row.runner).toBeTruthy();
        expect(row.runner).toBe(runner);
        expect(
          fake.requestsTo('GET', '/log').length - logRequestsBefore,
        ).toBeLessThanOrEqual(2);
        expect(fake.requestsTo('GET', `/jobs/${jobNameFor(id)}`)).toHaveLength(
          0,
        );
      },
    );

    it.each(POSTGRES)(
      'a backend that fell silent stops following the deploy a live replica took over: one log, one outcome (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        // 10 s, so the take-over happens while the Job runs; two lines or so
        // per 100 ms log chunk, so two backends writing would chunk the same
        // output differently and the stored log would show it
        const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
        fake.behave = () => ({ lines, intervalMs: 50 });
        // both backends up before the deploy, so the Job's time is the test's
        const silent = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(silent);
        const { scheduler, tasks } = capturingScheduler();
        const live = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
          features: [scheduler],
        });
        backends.push(live);
        const takeOver = tasks.find(t => t.id === 'sled-take-over-deploys')!;
        const artifactId = await registerArtifact(
          silent,
          'component:default/shop',
        );
        const id = await requestDeploy(
          silent,
          'component:default/shop',
          artifactId,
        );
        const jobName = jobNameFor(id);
        await eventually(
          async () =>
            expect((await readLogs(silent, id)).length).toBeGreaterThan(0),
          10_000,
        );
        const { runner: silentRunner } = await knex('sled_deploys')
          .where({ id })
          .first();
        expect(fake.logFollowersOfJob(NAMESPACE, jobName)).toBe(1);

        // the first backend's heartbeat looks 60 s old (it still runs and
        // writes one every 10 s, so try until the take-over wins)
        await eventually(async () => {
          await knex('sled_runners')
            .where({ id: silentRunner })
            .update({
              heartbeat_at: new Date(Date.now() - 60_000).toISOString(),
            });
          await takeOver.fn(new AbortController().signal);
          expect(
            (await knex('sled_deploys').where({ id }).first()).runner,
          ).not.toBe(silentRunner);
        }, 20_000);
        // the live replica follows the Job too; the silent one, refused its
        // next log chunk, stops following it
        const followRequests = () =>
          fake
            .requestsTo('GET', `/pods/${jobName}-`)
            .filter(r => r.path.endsWith('/log') && r.query.follow === 'true')
            .length;
        await eventually(
          () => expect(followRequests()).toBeGreaterThanOrEqual(2),
          10_000,
        );
        await eventually(
          () => expect(fake.logFollowersOfJob(NAMESPACE, jobName)).toBe(1),
          10_000,
        );
        expect((await knex('sled_deploys').where({ id }).first()).status).toBe(
          'running',
        );

        const done = await waitForEnd(live, id, 30_000);
        expect(done.status).toBe('succeeded');
        // every line once, in order: the silent backend wrote nothing more
        // once it lost the deploy, and did not record the outcome
        expect(await readLogs(live, id)).toBe(lines.join(''));
        expect(
          (await knex('sled_deploys').where({ id }).first()).runner,
        ).not.toBe(silentRunner);
        expect(fake.listJobs(NAMESPACE)).toHaveLength(1);
      },
    );

    it.each(POSTGRES)(
      'two backends sharing one database create exactly one Job per deploy for 200 requests (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        fake.behave = () => ({
          lines: ['ok\n'],
          intervalMs: 5,
          startDelayMs: 5,
        });
        const names = Array.from({ length: 200 }, (_, i) => `svc-${i}`);
        const entities = names.map(kubeService);
        const config = kubernetesConfig(fake, { requestTimeoutSeconds: 10 });
        const one = await startKubernetesBackend({
          knex,
          fake,
          entities,
          config,
        });
        backends.push(one);
        const two = await startKubernetesBackend({
          knex,
          fake,
          entities,
          config,
        });
        backends.push(two);
        const artifacts: string[] = [];
        for (const name of names)
          artifacts.push(
            await registerArtifact(one, `component:default/${name}`),
          );

        const ids = await Promise.all(
          names.map((name, i) =>
            requestDeploy(
              i % 2 ? two : one,
              `component:default/${name}`,
              artifacts[i],
            ),
          ),
        );
        expect(new Set(ids).size).toBe(200);

        const deploys = await eventually(async () => {
          const res = await request(one.server)
            .get('/api/sled/deploys?environment=staging&limit=500')
            .set('Authorization', USER);
          const items = res.body.items as Deploy[];
          expect(items).toHaveLength(200);
          expect(items.every(d => isFinalDeployStatus(d.status))).toBe(true);
          return items;
        }, 60_000);
        expect(
          deploys.filter(d => d.status !== 'succeeded').map(d => d.message),
        ).toEqual([]);
        expect(fake.createdJobs).toBe(200);
        const jobs = fake.listJobs(NAMESPACE);
        expect(jobs).toHaveLength(200);
        expect(
          new Set(jobs.map(j => j.metadata.labels['sled.dev/deploy-id'])),
        ).toEqual(new Set(ids));
        // let the queue dispatch after the last deploys drain before stopping
        const pool = (knex as any).client.pool;
        await eventually(
          () => expect(pool.numPendingAcquires()).toBe(0),
          20_000,
        );
      },
    );

    it.each(POSTGRES)(
      'a cancel through one replica while the other creates the Job leaves no Job running (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        fake.behave = () => ({ lines: ['started\n'], runForever: true });
        let finishCreate!: () => void;
        const slowCreate = new Promise<void>(r => (finishCreate = r));
        fake.beforeJobCreate = () => slowCreate;
        const creating = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(creating);
        const cancelling = await startKubernetesBackend({
          knex,
          fake,
          entities: [kubeService('shop')],
        });
        backends.push(cancelling);
        const artifactId = await registerArtifact(
          creating,
          'component:default/shop',
        );
        const id = await requestDeploy(
          creating,
          'component:default/shop',
          artifactId,
        );
        await eventually(() =>
          expect(fake.requestsTo('POST', '/jobs')).toHaveLength(1),
        );

        const res = await request(cancelling.server)
          .post(`/api/sled/deploys/${id}/cancel`)
          .set('Authorization', USER);
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('cancelled');

        finishCreate();
        await eventually(() => expect(fake.createdJobs).toBe(1));
        await eventually(() => {
          expect(fake.listJobs(NAMESPACE)).toEqual([]);
          expect(fake.listPods(NAMESPACE)).toEqual([]);
        });
        expect((await waitForEnd(creating, id)).status).toBe('cancelled');
      },
    );

    it.each(POSTGRES)(
      'a Job never launched is not created after a take-over when the start gates refuse it now (%p)',
      async databaseId => {
        const knex = await databases.init(databaseId);
        // a deploy check that refuses starts once `closed` (a window closing, say)
        let closed = false;
        const closing = createBackendModule({
          pluginId: 'sled',
          moduleId: 'closing-check',
          register(env) {
            env.registerInit({
              deps: { checks: sledDeployChecksExtensionPoint },
              async init({ checks }) {
                checks.addCheck({
                  name: 'closing',
                  async evaluate(context) {
                    return closed && context.phase === 'start'
                      ? { message: 'the release window closed' }
                      : undefined;
                  },
                });
              },
            });
          },
        });
        const config = kubernetesConfig(fake) as any;
        config.sled.environments[0].checks = ['closing'];
        const start = () =>
          startKubernetesBackend({
            knex,
            fake,
            entities: [kubeService('cart')],
            config,
            features: [closing],
          });
        // Jobs are slow to create: the first backend stops before it records one
        fake.behave = () => ({
          lines: LINES,
          intervalMs: 60,
          startDelayMs: 60_000,
        });
        const first = await start();
        backends.push(first);
        const artifactId = await registerArtifact(
          first,
          'component:default/cart',
        );
        const id = await requestDeploy(
          first,
          'component:default/cart',
          artifactId,
        );
        await eventually(async () =>
          expect(
            (
              await knex('sled_deploys').where({ id }).first()
            ).execution,
          ).toBeTruthy(),
        );
        await stopBackend(first, backends);
        // as if its backend died before creating the Job
        fake.removeJob(
          (fake as any).jobs.get(`${NAMESPACE}/${jobNameFor(id)}`),
        );
        await knex('sled_deploys').where({ id }).update({ execution: null });
        const jobsBefore = fake.createdJobs;

        closed = true;
        fake.behave = () => ({ lines: LINES, intervalMs: 60 });
        const second = await start();
        backends.push(second);
        const done = await waitForEnd(second, id, 30_000);
        expect(done).toMatchObject({
          status: 'failed',
          message:
            "Refused by deploy check 'closing' before it started: the release window closed",
        });
        expect(fake.createdJobs).toBe(jobsBefore);
        expect(fake.getJob(NAMESPACE, jobNameFor(id))).toBeUndefined();
      },
    );
  },
);
