import { readFileSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { httpCheck } from './verify.ts';
import type { DeployContext, DeployPlan } from './deploy.ts';
import {
  FakeCluster,
  IMAGE,
  contractEnv,
  runDeploy,
  startFakeCluster,
} from './__testUtils__/fakeCluster.ts';

// a loaded CI machine: loading the Kubernetes client alone may take seconds
jest.setTimeout(60_000);

type Obj = Record<string, any>;

/** Until `condition` holds, looking every 10 ms (or fails after `ms`). */
async function until(
  condition: () => boolean,
  ms = 30_000,
  what = 'condition',
) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('libdeploy against the fake Kubernetes API server', () => {
  let cluster: FakeCluster;
  let serial = 0;

  beforeAll(async () => {
    cluster = await startFakeCluster();
  });
  afterAll(async () => {
    await cluster.stop();
  });
  beforeEach(() => {
    cluster.fake.rollout = () => ({});
  });

  /** A service of its own for each test, in a namespace of its own. */
  function service() {
    serial++;
    const name = `svc${serial}`;
    const namespace = `ns${serial}`;
    const env = (overrides: Record<string, string | undefined> = {}) => ({
      ...contractEnv({
        SLED_SERVICE: `component:default/${name}`,
        ...overrides,
      }),
      KUBECONFIG: cluster.kubeconfig,
    });
    const get = (resource: string, objName = name) =>
      cluster.fake.resources.get(resource, namespace, objName);
    const all = () =>
      [
        'deployments',
        'services',
        'configmaps',
        'poddisruptionbudgets',
        'statefulsets',
        'cronjobs',
      ]
        .flatMap(r => cluster.fake.resources.list(r, namespace))
        .map(o => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`)
        .sort();
    const run = (
      define: (c: DeployContext) => DeployPlan,
      options: {
        argv?: string[];
        env?: Record<string, string | undefined>;
        rolloutTimeoutSeconds?: number;
        watch?: (output: string) => void;
      } = {},
    ) =>
      runDeploy(define, {
        watch: options.watch,
        namespace,
        argv: options.argv ?? [],
        env: options.env ?? env(),
        kubernetes: {
          pollIntervalMs: 50,
          rolloutTimeoutSeconds: options.rolloutTimeoutSeconds ?? 10,
        },
      });
    return { name, namespace, env, get, all, run };
  }

  const webAndConfig =
    (configs: string[] = ['config']) =>
    ({ k8s }: DeployContext): DeployPlan => ({
      resources: [
        ...configs.map(c => k8s.configMap(c, { A: c })),
        k8s.statelessService({ port: 8080 }),
      ],
    });

  it('applies server-side as field manager sled, waits for the rollout with progress lines, and finishes', async () => {
    const s = service();
    let release!: () => void;
    const ready = new Promise<void>(r => (release = r));
    cluster.fake.rollout = () => ({ readyWhen: ready });
    let output = '';
    const running = s.run(webAndConfig(), { watch: text => (output = text) });
    // the rollout is reported while the pods are not ready …
    await until(
      () => output.includes(`rollout: Deployment/${s.name}: 0/2 ready\n`),
      10_000,
      'the progress line',
    );
    expect(output).not.toContain('finished');
    release();
    const run = await running;
    expect(run.code).toBe(0);
    expect(run.lines).toEqual(
      expect.arrayContaining([
        `kubernetes: cluster ${cluster.fake.url} (Kubernetes v1.34.1-fake), namespace ${s.namespace}`,
        'apply: ConfigMap/config created',
        `apply: Service/${s.name} created`,
        `apply: Deployment/${s.name} created`,
        `apply: PodDisruptionBudget/${s.name} created`,
        `rollout: Deployment/${s.name}: 0/2 ready`,
        `rollout: Deployment/${s.name}: ready (2/2)`,
        'deploy 11111111-1111-4111-8111-111111111111 finished: 4 resources applied',
      ]),
    );
    // config before workloads, the budget last
    const applies = run.lines.filter(l => l.startsWith('apply: '));
    expect(applies[0]).toBe('apply: ConfigMap/config created');
    expect(applies[3]).toBe(`apply: PodDisruptionBudget/${s.name} created`);

    const deployment = s.get('deployments')!;
    expect(deployment.metadata.labels).toMatchObject({
      'sled.dev/service': `component.default.${s.name}`,
      'sled.dev/environment': 'staging',
      'sled.dev/deploy-id': '11111111-1111-4111-8111-111111111111',
      'app.kubernetes.io/managed-by': 'libdeploy',
    });
    expect(deployment.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'sled', operation: 'Apply' }),
    ]);
    expect(deployment.spec.template.spec.containers[0].image).toBe(IMAGE);
    expect(deployment.status.readyReplicas).toBe(2);
    const patches = cluster.fake
      .requestsTo('PATCH', `/namespaces/${s.namespace}/`)
      .filter(r => !r.query.dryRun);
    expect(patches).toHaveLength(4);
    for (const p of patches) {
      expect(p.query).toMatchObject({ fieldManager: 'sled', force: 'true' });
    }
  });

  it('a replay of the same artifact changes nothing: no new resourceVersion, the deploy id of the deploy that made it', async () => {
    const s = service();
    expect((await s.run(webAndConfig())).code).toBe(0);
    const before = s.all();
    expect(before).toHaveLength(4);

    const replay = await s.run(webAndConfig(), {
      env: s.env({ SLED_DEPLOY_ID: '22222222-2222-4222-8222-222222222222' }),
    });
    expect(replay.code).toBe(0);
    expect(replay.lines.filter(l => l.startsWith('apply: '))).toEqual([
      'apply: ConfigMap/config unchanged',
      `apply: Service/${s.name} unchanged`,
      `apply: Deployment/${s.name} unchanged`,
      `apply: PodDisruptionBudget/${s.name} unchanged`,
    ]);
    expect(s.all()).toEqual(before);
    expect(s.get('deployments')!.metadata.labels['sled.dev/deploy-id']).toBe(
      '11111111-1111-4111-8111-111111111111',
    );

    // a new version does change it, and says which deploy did
    const next = await s.run(webAndConfig(), {
      env: s.env({
        SLED_DEPLOY_ID: '33333333-3333-4333-8333-333333333333',
        SLED_ARTIFACT_VERSION: '1.4.0',
      }),
    });
    expect(next.code).toBe(0);
    expect(next.lines).toContain(`apply: Deployment/${s.name} configured`);
    const deployment = s.get('deployments')!;
    expect(deployment.metadata.labels['sled.dev/deploy-id']).toBe(
      '33333333-3333-4333-8333-333333333333',
    );
    expect(
      deployment.spec.template.metadata.labels['app.kubernetes.io/version'],
    ).toBe('1.4.0');
    expect(deployment.metadata.generation).toBe(2);
  });

  it('prunes what this service applied before and no longer declares, and nothing else', async () => {
    const s = service();
    expect((await s.run(webAndConfig(['keep', 'drop']))).code).toBe(0);
    expect(s.get('configmaps', 'drop')).toBeDefined();
    // the same labels, but created by someone else (not applied by sled)
    cluster.fake.resources.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'by-hand',
        namespace: s.namespace,
        labels: s.get('configmaps', 'drop')!.metadata.labels,
      },
      data: {},
    });
    // another service's, in the same namespace
    const other = await runDeploy(webAndConfig(['other-config']), {
      namespace: s.namespace,
      env: { ...s.env(), SLED_SERVICE: 'component:default/other' },
      kubernetes: { pollIntervalMs: 50 },
    });
    expect(other.code).toBe(0);

    const run = await s.run(webAndConfig(['keep']));
    expect(run.code).toBe(0);
    expect(run.lines).toContain(
      'prune: ConfigMap/drop deleted (no longer declared)',
    );
    expect(run.lines.filter(l => l.startsWith('prune:'))).toHaveLength(1);
    expect(run.output).toContain('4 resources applied, 1 pruned');
    expect(s.get('configmaps', 'drop')).toBeUndefined();
    expect(s.get('configmaps', 'keep')).toBeDefined();
    expect(s.get('configmaps', 'by-hand')).toBeDefined();
    expect(s.get('configmaps', 'other-config')).toBeDefined();
    expect(s.get('deployments', 'other')).toBeDefined();

    // dropping the whole service's Deployment prunes it (and its pods) too
    const onlyConfig = await s.run(({ k8s }) => ({
      resources: [k8s.configMap('keep', { A: 'keep' })],
    }));
    expect(onlyConfig.code).toBe(0);
    expect(onlyConfig.lines).toEqual(
      expect.arrayContaining([
        `prune: Deployment/${s.name} deleted (no longer declared)`,
        `prune: Service/${s.name} deleted (no longer declared)`,
        `prune: PodDisruptionBudget/${s.name} deleted (no longer declared)`,
      ]),
    );
    expect(s.get('deployments')).toBeUndefined();
    expect(
      cluster.fake
        .listPods(s.namespace)
        .filter(p => p.metadata.name.startsWith(`${s.name}-`)),
    ).toEqual([]);
  });

  it('a rollout that never becomes ready times out, naming the failing pod and why; nothing is pruned', async () => {
    const s = service();
    expect((await s.run(webAndConfig(['old']))).code).toBe(0);
    cluster.fake.rollout = () => ({
      failing: {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${IMAGE}"`,
        event: { reason: 'Failed', message: 'Failed to pull image: not found' },
      },
    });
    const run = await s.run(webAndConfig(['new']), {
      env: s.env({ SLED_ARTIFACT_VERSION: '2.0.0' }),
      rolloutTimeoutSeconds: 1,
    });
    expect(run.code).toBe(1);
    const failing = cluster.fake
      .listPods(s.namespace)
      .filter(p => p.metadata.labels['app.kubernetes.io/version'] === '2.0.0')
      .map(p => p.metadata.name);
    expect(failing).toHaveLength(2);
    const last = run.lines.filter(Boolean).pop()!;
    expect(last).toMatch(
      new RegExp(
        `^deploy failed: rollout not ready after 1 s: Deployment/${s.name} \\([^)]+\\): pod ${s.name}-`,
      ),
    );
    for (const pod of failing) {
      expect(last).toContain(
        `pod ${pod}: ImagePullBackOff: Back-off pulling image "${IMAGE}"; Failed: Failed to pull image: not found`,
      );
      expect(run.lines).toContain(
        `rollout: Deployment/${s.name}: pod ${pod}: ImagePullBackOff: Back-off pulling image "${IMAGE}"; Failed: Failed to pull image: not found`,
      );
    }
    expect(run.output).not.toContain('prune:');
    expect(run.output).not.toContain('finished');
    expect(s.get('configmaps', 'old')).toBeDefined();
  });

  describe('verify', () => {
    let server: Server;
    let answer = 200;
    let url = '';
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(answer);
        res.end();
      });
      await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${
        (server.address() as AddressInfo).port
      }/healthz`;
    });
    afterAll(() => new Promise<void>(r => server.close(() => r())));

    it('a failing verify hook exits non-zero', async () => {
      const s = service();
      answer = 503;
      const run = await s.run(({ k8s }) => ({
        resources: [k8s.statelessService()],
        verify: httpCheck(url, { attempts: 2, intervalMs: 10 }),
      }));
      expect(run.code).toBe(1);
      expect(run.lines).toContain(
        `verify: GET ${url} answered 503 (try 1 of 2)`,
      );
      expect(run.lines).toContain(
        `verify failed: GET ${url} answered 503 after 2 tries`,
      );
      expect(run.output).not.toContain('finished');
    });

    it('a passing one lets the deploy finish; a throwing one fails it', async () => {
      const s = service();
      answer = 204;
      const ok = await s.run(({ k8s }) => ({
        resources: [k8s.statelessService()],
        verify: httpCheck(url),
      }));
      expect(ok.code).toBe(0);
      expect(ok.lines).toEqual(
        expect.arrayContaining([`verify: GET ${url} → 204`, 'verify: ok']),
      );
      const thrown = await s.run(({ k8s }) => ({
        resources: [k8s.statelessService()],
        verify: () => {
          throw new Error('the queue is not drained');
        },
      }));
      expect(thrown.code).toBe(1);
      expect(thrown.lines).toContain('verify failed: the queue is not drained');
    });
  });

  it('--dry-run renders and diffs against the cluster, and writes nothing', async () => {
    const s = service();
    expect((await s.run(webAndConfig(['keep', 'drop']))).code).toBe(0);
    const before = s.all();
    const from = cluster.fake.requests.length;

    for (const variant of [
      { argv: ['--dry-run'] },
      { env: s.env({ SLED_DRY_RUN: '1', SLED_ARTIFACT_VERSION: '1.5.0' }) },
    ]) {
      const run = await s.run(webAndConfig(['keep', 'added']), {
        argv: variant.argv,
        env: variant.env ?? s.env({ SLED_ARTIFACT_VERSION: '1.5.0' }),
      });
      expect(run.code).toBe(0);
      expect(run.output).toContain(
        `kind: Deployment\nmetadata:\n  name: ${s.name}\n  namespace: ${s.namespace}\n`,
      );
      expect(run.lines).toEqual(
        expect.arrayContaining([
          'diff: ConfigMap/keep: would change',
          'diff: ConfigMap/added: would be created',
          `diff: Deployment/${s.name}: would change`,
          '  -     app.kubernetes.io/version: 1.3.0',
          '  +     app.kubernetes.io/version: 1.5.0',
          'prune: ConfigMap/drop would be deleted (no longer declared)',
          'deploy 11111111-1111-4111-8111-111111111111 finished (dry run): 5 resources rendered, nothing changed',
        ]),
      );
    }
    const writes = cluster.fake.requests
      .slice(from)
      .filter(r => r.method !== 'GET' && r.query.dryRun !== 'All');
    expect(writes).toEqual([]);
    expect(s.all()).toEqual(before);
    expect(s.get('configmaps', 'added')).toBeUndefined();
    expect(s.get('configmaps', 'drop')).toBeDefined();
  });

  it('--dry-run of what runs shows no change', async () => {
    const s = service();
    expect((await s.run(webAndConfig())).code).toBe(0);
    const run = await s.run(webAndConfig(), {
      argv: ['--dry-run'],
      env: s.env({ SLED_DEPLOY_ID: '44444444-4444-4444-8444-444444444444' }),
    });
    expect(run.code).toBe(0);
    expect(run.lines.filter(l => l.startsWith('diff: '))).toEqual([
      'diff: ConfigMap/config: unchanged',
      `diff: Service/${s.name}: unchanged`,
      `diff: Deployment/${s.name}: unchanged`,
      `diff: PodDisruptionBudget/${s.name}: unchanged`,
    ]);
  });

  it('--validate adds a server-side dry run: what only the cluster knows fails, naming resource and field; nothing is written', async () => {
    const s = service();
    const from = cluster.fake.requests.length;
    const nodePort =
      (port: number) =>
      ({ k8s }: DeployContext): DeployPlan => {
        const [deployment, svc] = k8s.statelessService({
          disruptionBudget: false,
        });
        const plain = svc.toJSON() as Obj;
        plain.spec.type = 'NodePort';
        plain.spec.ports[0].nodePort = port;
        return { resources: [deployment, plain] };
      };
    const bad = await s.run(nodePort(40000), { argv: ['--validate'] });
    expect(bad.code).toBe(1);
    expect(bad.lines).toContain(
      `Service/${s.name}: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767 (API server)`,
    );
    expect(bad.lines).toContain(
      'validation failed: 1 problem (server-side dry run); nothing was applied',
    );
    // a --dry-run's diff is a server-side dry run too: it fails the same way
    const dry = await s.run(nodePort(40000), { argv: ['--dry-run'] });
    expect(dry.code).toBe(1);
    expect(dry.output).toContain(
      `dry run failed: server-side dry run of Service/${s.name}: Service "${s.name}" is invalid: spec.ports[0].nodePort: Invalid value: 40000`,
    );
    const good = await s.run(nodePort(30080), { argv: ['--validate'] });
    expect(good.code).toBe(0);
    expect(good.lines).toContain(
      'validate: 2 resources valid (schema and server-side dry run)',
    );
    const requests = cluster.fake.requests.slice(from);
    expect(requests.filter(r => r.method === 'PATCH').length).toBeGreaterThan(
      0,
    );
    expect(
      requests.filter(r => r.method !== 'GET' && r.query.dryRun !== 'All'),
    ).toEqual([]);
    expect(s.all()).toEqual([]);
  });

  it('a configured cluster that cannot be reached fails a deploy, but a dry run still renders', async () => {
    const s = service();
    const unreachable = `${cluster.kubeconfig}-unreachable`;
    writeFileSync(
      unreachable,
      readFileSync(cluster.kubeconfig, 'utf8').replace(
        cluster.fake.url,
        'https://127.0.0.1:1',
      ),
    );
    const env = { ...s.env(), KUBECONFIG: unreachable };
    const apply = await s.run(webAndConfig(), { env });
    expect(apply.code).toBe(1);
    expect(apply.output).toMatch(
      /Cannot reach https:\/\/127\.0\.0\.1:1: .*\. Nothing was applied\./,
    );
    const dry = await s.run(webAndConfig(), { env, argv: ['--dry-run'] });
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('rendering only, no diff.');
    expect(dry.output).toContain('kind: Deployment');
  });

  it('in a pod without a service account token, a deploy fails instead of silently rendering', async () => {
    const s = service();
    const run = await s.run(webAndConfig(), {
      env: {
        ...s.env(),
        KUBECONFIG: undefined,
        KUBERNETES_SERVICE_HOST: '10.0.0.1',
      },
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'Running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set) without a service account token',
    );
  });
});
