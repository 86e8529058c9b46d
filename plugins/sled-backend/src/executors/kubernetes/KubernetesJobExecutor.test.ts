import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
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

jest.setTimeout(60_000);

const SVC = 'component:default/shop';
const isJobPost = (r: { method: string; path: string }) =>
  r.method === 'POST' && r.path.endsWith('/jobs');

describe('KubernetesJobExecutor against the fake API server', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let fake: FakeKubernetesApi;
  let backend: TestBackend | undefined;
  let artifactId: string;

  async function start(sledKubernetes: Record<string, any> = {}) {
    const knex = await databases.init('SQLITE_3');
    backend = await startKubernetesBackend({
      knex,
      fake,
      entities: [kubeService('shop')],
      config: kubernetesConfig(fake, sledKubernetes),
    });
    artifactId = await registerArtifact(backend, SVC);
    return backend;
  }

  /** Starts the backend, requests one deploy and waits until it ends. */
  async function deployToEnd() {
    const b = await start();
    const id = await requestDeploy(b, SVC, artifactId);
    return { b, id, done: await waitForEnd(b, id) };
  }

  beforeEach(async () => {
    fake = await FakeKubernetesApi.start();
  });

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
    await fake.stop();
  });

  it('runs a deploy as a Job and records its log and success', async () => {
    // long enough (~1 s) to be seen running
    fake.behave = () => ({
      lines: ['step 1\n', 'step 2\n', 'step 3\n'],
      intervalMs: 300,
    });
    const b = await start();
    const id = await requestDeploy(b, SVC, artifactId);

    const jobName = jobNameFor(id);
    expect(jobName).toMatch(/^sled-[0-9a-f]{20}$/);
    const running = await waitForStatus(b, id, 'running');
    const job = await eventually(() => {
      const j = fake.getJob(NAMESPACE, jobName);
      expect(j).toBeDefined();
      return j!;
    });
    expect(job.metadata.labels).toEqual({
      'sled.dev/deploy-id': id,
      'sled.dev/service': 'component.default.shop',
      'sled.dev/environment': 'staging',
      'app.kubernetes.io/managed-by': 'sled',
    });
    expect(job.metadata.annotations).toMatchObject({
      'sled.dev/artifact-id': artifactId,
      'sled.dev/artifact-version': '1.0.0',
      'sled.dev/spec-hash': expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 60,
      ttlSecondsAfterFinished: 3600,
      template: { spec: { restartPolicy: 'Never' } },
    });
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe('ghcr.io/example/sled-deployer:1');
    expect(container.command).toEqual(['./deploy.sh', '--apply']);
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
    expect(
      Object.fromEntries(container.env.map((e: any) => [e.name, e.value])),
    ).toMatchObject({
      SLED_DEPLOY_ID: id,
      SLED_SERVICE: SVC,
      SLED_ENVIRONMENT: 'staging',
      SLED_ARTIFACT_ID: artifactId,
      SLED_ARTIFACT_VERSION: '1.0.0',
      SLED_ARTIFACT_IMAGE: 'registry.example/app:1.0.0',
      SLED_DRY_RUN: '0',
    });
    expect(running.status).toBe('running');

    const done = await waitForEnd(b, id);
    expect(done.status).toBe('succeeded');
    expect(done.execution).toEqual({
      executor: 'kubernetes',
      handle: `staging/${NAMESPACE}/${jobName}`,
      cluster: 'staging',
      namespace: NAMESPACE,
      jobName,
    });
    const completed = fake.getJob(NAMESPACE, jobName)!;
    const completedAt = Date.parse(
      completed.status.conditions.find((c: any) => c.type === 'Complete')
        .lastTransitionTime,
    );
    // how soon after is a benchmark figure (test/bench), not a unit test's
    expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(completedAt);
    expect(await readLogs(b, id)).toBe('step 1\nstep 2\nstep 3\n');
    expect(fake.createdJobs).toBe(1);
  });

  it('records a failing deploy script with its exit code and log', async () => {
    fake.behave = () => ({
      lines: ['migrating\n', 'error: table locked\n'],
      exitCode: 3,
    });
    const { b, id, done } = await deployToEnd();
    expect(done.status).toBe('failed');
    expect(done.message).toBe('The deploy script exited with code 3');
    expect(done.exitCode).toBe(3);
    expect(await readLogs(b, id)).toBe('migrating\nerror: table locked\n');
  });

  it('cancels by deleting the Job with background propagation', async () => {
    fake.behave = () => ({ lines: ['started\n'], runForever: true });
    const b = await start();
    const id = await requestDeploy(b, SVC, artifactId);
    await waitForStatus(b, id, 'running');
    await eventually(async () =>
      expect(fake.listJobs(NAMESPACE)).toHaveLength(1),
    );

    const res = await request(b.server)
      .post(`/api/sled/deploys/${id}/cancel`)
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    const done = await waitForEnd(b, id);
    expect(done.status).toBe('cancelled');
    const deletes = fake.requestsTo('DELETE', `/jobs/${jobNameFor(id)}`);
    expect(deletes).toHaveLength(1);
    expect(deletes[0].body).toMatchObject({ propagationPolicy: 'Background' });
    expect(fake.listJobs(NAMESPACE)).toHaveLength(0);
  });

  it('deletes the Job of a deploy cancelled while its Job was being created, so nothing runs', async () => {
    fake.behave = () => ({ lines: ['started\n'], runForever: true });
    let finishCreate!: () => void;
    const slowCreate = new Promise<void>(resolve => (finishCreate = resolve));
    fake.beforeJobCreate = () => slowCreate;
    const b = await start();
    const id = await requestDeploy(b, SVC, artifactId);
    // the Job's create is on its way, not answered yet
    await eventually(() =>
      expect(fake.requests.filter(isJobPost)).toHaveLength(1),
    );

    const res = await request(b.server)
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
    const done = await waitForEnd(b, id);
    expect(done.status).toBe('cancelled');
    expect(done.message).toMatch(/^Cancelled/);
  });

  it("ends a followed deploy as lost when its Job is deleted behind SLeD's back", async () => {
    fake.behave = () => ({ lines: ['started\n'], runForever: true });
    const b = await start();
    const id = await requestDeploy(b, SVC, artifactId);
    await waitForStatus(b, id, 'running');
    await eventually(async () =>
      expect(await readLogs(b, id)).toBe('started\n'),
    );
    fake.removeJob((fake as any).jobs.get(`${NAMESPACE}/${jobNameFor(id)}`));
    const done = await waitForEnd(b, id);
    expect(done.status).toBe('lost');
    expect(done.message).toMatch(
      /^lost: the Job sled-deploys\/sled-[0-9a-f]{20} no longer exists/,
    );
  });

  it('fails a deploy whose Job exceeds its deadline, saying so', async () => {
    fake.behave = () => ({
      lines: ['waiting for rollout\n'],
      runForever: true,
      deadlineMs: 300,
    });
    const { b, id, done } = await deployToEnd();
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/deadline passed/);
    expect(await readLogs(b, id)).toBe('waiting for rollout\n');
  });

  it('adopts its own Job when the create answer was lost (409 with the same spec hash)', async () => {
    fake.loseResponseOfNext(1, 503, isJobPost);
    const { done } = await deployToEnd();
    expect(done.status).toBe('succeeded');
    expect(fake.requests.filter(isJobPost)).toHaveLength(2);
    expect(fake.createdJobs).toBe(1);
  });

  it('fails loudly on a 409 for a Job with a different spec', async () => {
    fake.behave = () => ({ lines: ['someone else\n'], runForever: true });
    fake.intercept = r => {
      if (isJobPost(r) && !fake.getJob(NAMESPACE, r.body.metadata.name)) {
        fake.seedJob(NAMESPACE, {
          ...r.body,
          metadata: {
            ...r.body.metadata,
            annotations: { 'sled.dev/spec-hash': 'something-else' },
          },
        });
      }
    };
    const { id, done } = await deployToEnd();
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(
      /already exists in cluster 'staging' with a different spec/,
    );
    // the foreign Job is left alone
    expect(fake.getJob(NAMESPACE, jobNameFor(id))).toBeDefined();
    expect(fake.requestsTo('DELETE', '/jobs/')).toHaveLength(0);
  });

  it('re-lists after 410 Expired and still records the outcome', async () => {
    // 4.5 s: still running when its history is compacted
    fake.behave = () => ({
      lines: Array.from({ length: 15 }, (_, i) => `line ${i}\n`),
      intervalMs: 300,
    });
    const b = await start();
    const id = await requestDeploy(b, SVC, artifactId);
    await waitForStatus(b, id, 'running');
    await eventually(() =>
      expect(
        fake.requestsTo('GET', '/jobs').some(r => r.query.watch === 'true'),
      ).toBe(true),
    );
    // lists of the namespace's Jobs, not reads of one Job by name
    const jobLists = () =>
      fake
        .requestsTo('GET', `/namespaces/${NAMESPACE}/jobs`)
        .filter(r => r.path.endsWith('/jobs') && r.query.watch !== 'true')
        .length;
    const listsBefore = jobLists();
    fake.compactHistory();
    fake.dropWatches();
    const done = await waitForEnd(b, id);
    expect(done.status).toBe('succeeded');
    await eventually(() => expect(jobLists()).toBeGreaterThan(listsBefore));
    expect(await readLogs(b, id)).toBe(
      Array.from({ length: 15 }, (_, i) => `line ${i}\n`).join(''),
    );
  });

  it('follows pods with one watch per namespace instead of listing them per deploy', async () => {
    fake.behave = () => ({ lines: ['step 1\n', 'step 2\n'], intervalMs: 30 });
    const b = await start();
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => requestDeploy(b, SVC, artifactId)),
    );
    for (const id of ids) {
      const done = await waitForEnd(b, id);
      expect(done.status).toBe('succeeded');
      expect(await readLogs(b, id)).toBe('step 1\nstep 2\n');
    }
    const podRequests = fake.requestsTo('GET', `/namespaces/${NAMESPACE}/pods`);
    const isPodList = (r: { path: string; query: Record<string, string> }) =>
      r.path.endsWith('/pods') && r.query.watch !== 'true';
    expect(
      podRequests.filter(r => r.query.watch === 'true').length,
    ).toBeGreaterThan(0);
    // the watch's own list, not one list per deploy: only the first deploy,
    // followed before the watch had listed, looked its pod up by itself
    expect(podRequests.filter(isPodList).length).toBeLessThan(5);
    const lookedUp = new Set(
      podRequests
        .filter(
          r => isPodList(r) && r.query.labelSelector?.startsWith('job-name='),
        )
        .map(r => r.query.labelSelector),
    );
    expect(lookedUp.size).toBeLessThanOrEqual(1);
  });

  it('lists the pod of a deploy while the pod watch keeps failing', async () => {
    fake.behave = () => ({ lines: ['step 1\n', 'step 2\n'], intervalMs: 30 });
    const isPodWatch = (r: { path: string; query: Record<string, string> }) =>
      r.path.endsWith('/pods') && r.query.watch === 'true';
    fake.failNext(1000, 500, isPodWatch);
    const { b, id, done } = await deployToEnd();
    expect(done.status).toBe('succeeded');
    expect(done.exitCode).toBe(0);
    expect(await readLogs(b, id)).toBe('step 1\nstep 2\n');
    expect(fake.requests.some(isPodWatch)).toBe(true);
    expect(
      fake
        .requestsTo('GET', '/pods')
        .some(r => r.query.labelSelector === `job-name=${jobNameFor(id)}`),
    ).toBe(true);
  });

  it('retries API 5xx answers', async () => {
    fake.failNext(3, 503, isJobPost);
    const { done } = await deployToEnd();
    expect(done.status).toBe('succeeded');
    expect(fake.requests.filter(isJobPost)).toHaveLength(4);
    expect(fake.createdJobs).toBe(1);
  });

  it('retries an API request that times out', async () => {
    fake.hangNext(1, isJobPost);
    const b = await start({ requestTimeoutSeconds: 1 });
    const done = await waitForEnd(b, await requestDeploy(b, SVC, artifactId));
    expect(done.status).toBe('succeeded');
    expect(fake.requests.filter(isJobPost)).toHaveLength(2);
    expect(fake.createdJobs).toBe(1);
  });

  it('fails the deploy with an actionable message when the API server keeps failing', async () => {
    fake.failNext(50, 500, isJobPost);
    const { done } = await deployToEnd();
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/answered 500 while trying to create Job/);
    expect(fake.createdJobs).toBe(0);
  });

  it('fails the deploy with an actionable message on 401', async () => {
    fake.token = 'rotated';
    const { done } = await deployToEnd();
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(
      /rejected SLeD's credentials \(401 Unauthorized\)/,
    );
    expect(fake.requests.filter(isJobPost)).toHaveLength(1); // not retried
  });

  it('refuses at start-up a cluster whose auth needs a signed-in user', async () => {
    const knex = await databases.init('SQLITE_3');
    const config = kubernetesConfig(fake) as any;
    config.kubernetes.clusterLocatorMethods[0].clusters[0].authProvider =
      'oidc';
    config.kubernetes.clusterLocatorMethods[0].clusters[0].oidcTokenProvider =
      'google';
    await expect(
      startKubernetesBackend({
        knex,
        fake,
        entities: [kubeService('shop')],
        config,
      }),
    ).rejects.toThrow(/authProvider 'oidc' needs a signed-in user's token/);
  });

  it('refuses at start-up an environment naming an unknown cluster', async () => {
    const knex = await databases.init('SQLITE_3');
    const config = kubernetesConfig(fake) as any;
    config.sled.environments[0].cluster = 'prod-eu';
    await expect(
      startKubernetesBackend({
        knex,
        fake,
        entities: [kubeService('shop')],
        config,
      }),
    ).rejects.toThrow(
      /names cluster 'prod-eu', which is not a cluster of kubernetes.clusterLocatorMethods/,
    );
  });
});
