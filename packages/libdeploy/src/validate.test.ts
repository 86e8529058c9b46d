import { readContract } from './contract.ts';
import { statelessService } from './kubernetes/helpers.ts';
import { validateObjects } from './kubernetes/validate.ts';
import type { KubernetesObject } from './kubernetes/kinds.ts';
import { contractEnv, runDeploy } from './__testUtils__/fakeCluster.ts';

// a loaded CI machine: loading the Kubernetes client alone may take seconds
jest.setTimeout(60_000);

const contract = readContract(contractEnv());
const plain = (r: { toJSON(): unknown }) =>
  r.toJSON() as KubernetesObject & Record<string, any>;
const check = (objects: KubernetesObject[]) =>
  validateObjects(objects, { unpinnedImage: 'error' });

describe('validation names the resource and the field', () => {
  it('passes what the helpers make', () => {
    expect(check(statelessService(contract).map(plain))).toEqual([]);
  });

  it('a port out of range', () => {
    const [deployment, service] = statelessService(contract, {
      port: 70000,
      servicePort: 0,
    }).map(plain);
    expect(check([deployment, service])).toEqual([
      {
        resource: 'Deployment/cart',
        field: 'spec.template.spec.containers[0].ports[0].containerPort',
        message: 'must be between 1 and 65535 (is 70000)',
        severity: 'error',
      },
      {
        resource: 'Service/cart',
        field: 'spec.ports[0].port',
        message: 'must be between 1 and 65535 (is 0)',
        severity: 'error',
      },
    ]);
  });

  it('a missing image (the artifact has none)', () => {
    const noImage = readContract(contractEnv({ SLED_ARTIFACT_IMAGE: '' }));
    const [deployment] = statelessService(noImage).map(plain);
    expect(check([deployment])).toEqual([
      expect.objectContaining({
        resource: 'Deployment/cart',
        field: 'spec.template.spec.containers[0].image',
        message: expect.stringContaining('the artifact has no image'),
      }),
    ]);
  });

  it('an image not pinned by digest: an error, a warning in a dry run, fine when allowed', () => {
    const [deployment] = statelessService(contract, {
      image: 'ghcr.io/example/cart:1.3.0',
    }).map(plain);
    const field = 'spec.template.spec.containers[0].image';
    expect(check([deployment])).toEqual([
      expect.objectContaining({ field, severity: 'error' }),
    ]);
    expect(validateObjects([deployment], { unpinnedImage: 'warning' })).toEqual(
      [expect.objectContaining({ field, severity: 'warning' })],
    );
    expect(validateObjects([deployment], { unpinnedImage: 'ignore' })).toEqual(
      [],
    );
  });

  it('a bad name', () => {
    const [deployment, service] = statelessService(contract, {
      name: 'Cart_API',
    }).map(plain);
    const issues = check([deployment, service]);
    expect(issues).toContainEqual(
      expect.objectContaining({
        resource: 'Deployment/Cart_API',
        field: 'metadata.name',
        message: expect.stringContaining("'Cart_API' is not a valid name"),
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        resource: 'Service/Cart_API',
        field: 'metadata.name',
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        resource: 'Deployment/Cart_API',
        field: 'spec.template.spec.containers[0].name',
      }),
    );
  });

  it('what the schema says: types and required fields', () => {
    const deployment = plain(statelessService(contract)[0]);
    deployment.spec.revisionHistoryLimit = 'five';
    delete deployment.spec.template.spec.containers[0].name;
    deployment.spec.template.spec.containers[0].resources.requests.cpu = {};
    const issues = check([deployment]);
    expect(issues).toContainEqual(
      expect.objectContaining({
        field: 'spec.revisionHistoryLimit',
        message: 'must be integer',
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        field: 'spec.template.spec.containers[0].name',
        message: 'required',
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        field: 'spec.template.spec.containers[0].resources.requests.cpu',
        message: 'must be number or string',
      }),
    );
  });

  it('a selector that does not pick the pods, a probe on a port that is not there, a bad quantity', () => {
    const deployment = plain(statelessService(contract)[0]);
    deployment.spec.selector.matchLabels['app.kubernetes.io/name'] = 'other';
    const container = deployment.spec.template.spec.containers[0];
    container.livenessProbe.httpGet.port = 'metrics';
    container.resources.limits.memory = '256 MB';
    const fields = check([deployment]).map(i => i.field);
    expect(fields).toEqual([
      'spec.template.metadata.labels',
      'spec.template.spec.containers[0].livenessProbe.httpGet.port',
      'spec.template.spec.containers[0].resources.limits.memory',
    ]);
  });

  it('the same object twice', () => {
    const [deployment] = statelessService(contract).map(plain);
    expect(check([deployment, deployment])).toEqual([
      expect.objectContaining({
        resource: 'Deployment/cart',
        field: 'metadata.name',
        message: 'declared twice (resources #1 and #2)',
      }),
    ]);
  });
});

describe('a deploy script with invalid resources', () => {
  for (const argv of [[], ['--validate'], ['--dry-run']]) {
    it(`exits 1 naming resource and field (${
      argv.join(' ') || 'no flag'
    }), and applies nothing`, async () => {
      const run = await runDeploy(
        ({ k8s }) => ({ resources: [k8s.statelessService({ port: 70000 })] }),
        { argv },
      );
      expect(run.code).toBe(1);
      expect(run.lines).toContain(
        'Deployment/cart: spec.template.spec.containers[0].ports[0].containerPort: must be between 1 and 65535 (is 70000)',
      );
      expect(run.output).toContain(
        'validation failed: 1 problem; nothing was applied',
      );
      expect(run.output).not.toContain('kind: Deployment');
    });
  }

  it('--validate passes valid resources (schema only without a cluster)', async () => {
    const run = await runDeploy(
      ({ k8s }) => ({ resources: [k8s.statelessService()] }),
      { argv: ['--validate'] },
    );
    expect(run.code).toBe(0);
    expect(run.output).toContain(
      'No Kubernetes cluster configured (no KUBECONFIG, not in a cluster): validating without a server-side dry run.',
    );
    expect(run.output).toContain('validate: 3 resources valid (schema only)');
  });

  it('a plan that is not Kubernetes objects fails clearly', async () => {
    const run = await runDeploy(() => ({ resources: [{ name: 'cart' }] }));
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'Resource #1 is nothing a target deploys ({"name":"cart"}): a Kubernetes object needs apiVersion and kind',
    );
  });

  it('a script that throws while declaring fails with its error', async () => {
    const run = await runDeploy(() => {
      throw new Error('no such config');
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'The deploy script failed while declaring its resources: Error: no such config',
    );
  });
});
