import { readContract } from './contract.ts';
import { kubernetes } from './kubernetes/KubernetesTarget.ts';
import {
  configMap,
  cronJob,
  kubernetesHelpers,
  secretEnv,
  secretRef,
  statefulService,
  statelessService,
} from './kubernetes/helpers.ts';
import type { KubernetesObject } from './kubernetes/kinds.ts';
import { IMAGE, contractEnv } from './__testUtils__/fakeCluster.ts';

// a loaded CI machine: loading the Kubernetes client alone may take seconds
jest.setTimeout(60_000);

const contract = readContract(contractEnv());
const json = (x: { toJSON(): unknown }) => x.toJSON() as any;

describe('statelessService', () => {
  it('is a Deployment, a Service and a PodDisruptionBudget with sane defaults', () => {
    const [deployment, service, budget] = statelessService(contract).map(json);
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.metadata.name).toBe('cart');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(deployment.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'cart',
      'sled.dev/service': 'component.default.cart',
    });
    expect(deployment.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'cart',
      'sled.dev/service': 'component.default.cart',
      'sled.dev/environment': 'staging',
      'app.kubernetes.io/version': '1.3.0',
      'app.kubernetes.io/managed-by': 'libdeploy',
    });
    const pod = deployment.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    const [container] = pod.containers;
    expect(container.image).toBe(IMAGE);
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
    expect(container.readinessProbe.httpGet).toEqual({
      path: '/healthz',
      port: 'http',
    });
    expect(container.livenessProbe.initialDelaySeconds).toBe(10);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
    });

    expect(service.kind).toBe('Service');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(budget.kind).toBe('PodDisruptionBudget');
    expect(budget.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: deployment.spec.selector.matchLabels },
    });
  });

  it('takes options, and leaves out the budget for a single replica', () => {
    const resources = statelessService(contract, {
      name: 'cart-api',
      replicas: 1,
      port: 9000,
      servicePort: 8080,
      probes: false,
      image: `registry.example.com/other@sha256:${'b'.repeat(64)}`,
    }).map(json);
    expect(resources.map(r => r.kind)).toEqual(['Deployment', 'Service']);
    const [container] = resources[0].spec.template.spec.containers;
    expect(container.readinessProbe).toBeUndefined();
    expect(container.image).toMatch(/other@sha256/);
    expect(resources[1].spec.ports[0].port).toBe(8080);
  });

  it('references secrets and config maps, and rolls the pods when a config map changes', () => {
    const config = (level: string) =>
      configMap(contract, 'cart-config', { LOG_LEVEL: level });
    const pods = (level: string) =>
      json(
        statelessService(contract, {
          envFrom: [config(level), secretEnv('cart-secrets')],
          env: { TOKEN: secretRef('cart-token', 'token'), MODE: 'fast' },
        })[0],
      ).spec.template;
    const info = pods('info');
    expect(info.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: 'cart-config' } },
      { secretRef: { name: 'cart-secrets' } },
    ]);
    expect(info.spec.containers[0].env).toEqual([
      {
        name: 'TOKEN',
        valueFrom: { secretKeyRef: { name: 'cart-token', key: 'token' } },
      },
      { name: 'MODE', value: 'fast' },
    ]);
    const hash = info.metadata.annotations['sled.dev/config-hash'];
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(pods('info').metadata.annotations['sled.dev/config-hash']).toBe(
      hash,
    );
    expect(pods('debug').metadata.annotations['sled.dev/config-hash']).not.toBe(
      hash,
    );
  });
});

describe('statefulService', () => {
  it('is a StatefulSet with volume claims, a headless Service and a budget', () => {
    const [set, headless, budget] = statefulService(contract, {
      volumes: [{ name: 'data', mountPath: '/var/lib/cart', size: '5Gi' }],
    }).map(json);
    expect(set.kind).toBe('StatefulSet');
    expect(set.spec.replicas).toBe(3);
    expect(set.spec.serviceName).toBe('cart');
    expect(set.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    expect(set.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '5Gi' } },
        },
      },
    ]);
    expect(set.spec.template.spec.containers[0].volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/lib/cart' },
    ]);
    expect(headless.kind).toBe('Service');
    expect(headless.spec.clusterIP).toBe('None');
    expect(budget.kind).toBe('PodDisruptionBudget');
  });
});

describe('cronJob', () => {
  it('runs the artifact image on a schedule, one run at a time', () => {
    const job = json(
      cronJob(contract, {
        name: 'cart-cleanup',
        schedule: '0 3 * * *',
        command: ['node', 'cleanup.js'],
      }),
    );
    expect(job.spec.schedule).toBe('0 3 * * *');
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0]).toMatchObject({
      name: 'cart-cleanup',
      image: IMAGE,
      command: ['node', 'cleanup.js'],
    });
    expect(pod.containers[0].ports).toBeUndefined();
    expect(pod.containers[0].readinessProbe).toBeUndefined();
  });
});

describe('the kubernetes target prepares every object', () => {
  const target = kubernetes({ namespace: 'shop' });
  const prepare = (env = contractEnv()) =>
    target.prepare(kubernetesHelpers(readContract(env)).statelessService(), {
      contract: readContract(env),
      mode: 'apply',
      log: () => {},
      env,
      allowUnpinnedImages: false,
    }) as KubernetesObject[];

  it('with labels for service, environment, version and deploy id, and annotations for the artifact', () => {
    const [deployment] = prepare();
    expect(deployment.metadata).toMatchObject({
      name: 'cart',
      namespace: 'shop',
      labels: {
        'sled.dev/service': 'component.default.cart',
        'sled.dev/environment': 'staging',
        'app.kubernetes.io/version': '1.3.0',
        'app.kubernetes.io/managed-by': 'libdeploy',
        'sled.dev/deploy-id': '11111111-1111-4111-8111-111111111111',
      },
      annotations: {
        'sled.dev/entity-ref': 'component:default/cart',
        'sled.dev/artifact-id': 'artifact-1',
        'sled.dev/artifact-version': '1.3.0',
        'sled.dev/commit-sha': 'abcdef0123456789abcdef0123456789abcdef01',
        'sled.dev/applied-hash': expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });
  });

  it('hashing what is applied without the deploy id: a replay hashes the same, a new version does not', () => {
    const hash = (env: Record<string, string | undefined>) =>
      prepare(env)[0].metadata!.annotations!['sled.dev/applied-hash'];
    const first = hash(contractEnv());
    expect(
      hash(
        contractEnv({ SLED_DEPLOY_ID: '22222222-2222-4222-8222-222222222222' }),
      ),
    ).toBe(first);
    expect(hash(contractEnv({ SLED_ARTIFACT_VERSION: '1.4.0' }))).not.toBe(
      first,
    );
  });
});
