/**
 * The example catalog's services deploy with deploy.ts scripts that use
 * libdeploy: SLeD's own local executor runs each one exactly as a deploy
 * from SLeD does (the command from the catalog entity, in its folder, with
 * the contract and nothing else), and the log shows the rendered manifests.
 * Two of them also run with a cluster (the fake API server), as a
 * Kubernetes Job would run them, and apply.
 */
import { spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { readFileSync, readdirSync, existsSync } from 'fs';
import { join, resolve } from 'path';
import { parse } from 'yaml';
import { deployArgv, deployEnvironment } from '@internal/plugin-sled-node';
import type {
  DeployJob,
  DeployOutcome,
  DeployReporter,
} from '@internal/plugin-sled-node';
// SLeD's local executor and catalog reading, as the backend uses them
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { LocalProcessExecutor } from '../../../plugins/sled-backend/src/executors/LocalProcessExecutor';
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { toDeployableService } from '../../../plugins/sled-backend/src/service/ServiceCatalog';
import { FakeCluster, startFakeCluster } from './__testUtils__/fakeCluster.ts';

jest.setTimeout(180_000);

const CATALOG = resolve(__dirname, '../../../catalog/services');
const SERVICES = readdirSync(CATALOG).filter(name =>
  existsSync(join(CATALOG, name, 'catalog-info.yaml')),
);

/** The deployable service the backend makes of the entity, read from its file location. */
function deployable(name: string) {
  const file = join(CATALOG, name, 'catalog-info.yaml');
  const entity = parse(readFileSync(file, 'utf8'));
  entity.metadata.namespace ??= 'default';
  entity.metadata.annotations[
    'backstage.io/managed-by-location'
  ] = `file:${file}`;
  return toDeployableService({ ...entity, relations: [] })!;
}

function job(
  name: string,
  options: {
    image: string;
    dryRun?: boolean;
    artifact?: DeployJob['artifact'];
  },
): DeployJob {
  const service = deployable(name);
  const artifact =
    options.artifact ??
    ({
      id: randomUUID(),
      entityRef: service.entityRef,
      version: '1.3.0',
      image: options.image,
      commitSha: 'c0ffee0123456789c0ffee0123456789c0ffee01',
      createdAt: new Date().toISOString(),
    } as DeployJob['artifact']);
  const deploy = {
    id: randomUUID(),
    entityRef: service.entityRef,
    environment: 'development',
    artifactId: artifact.id,
    artifactVersion: artifact.version,
    status: 'running',
    dryRun: options.dryRun ?? false,
    force: false,
    requestedBy: 'user:default/guest',
    createdAt: new Date().toISOString(),
  } as DeployJob['deploy'];
  return {
    deploy,
    artifact,
    environment: {
      name: 'development',
      executor: 'local',
      requireReason: false,
      checks: [],
    },
    launch: {
      command: service.command,
      workingDirectory: service.workingDirectory,
    },
  };
}

class Reporter implements DeployReporter {
  readonly logs = new Map<string, string>();
  private readonly done = new Map<string, (o: DeployOutcome) => void>();
  appendLog(id: string, text: string) {
    this.logs.set(id, (this.logs.get(id) ?? '') + text);
  }
  async finished(id: string, outcome: DeployOutcome) {
    this.done.get(id)?.(outcome);
  }
  outcome(id: string) {
    return new Promise<DeployOutcome>(r => this.done.set(id, r));
  }
}

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silent;
  },
} as any;

describe('the example services', () => {
  it('each names `node deploy.ts` and has its deploy.ts', () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(7);
    for (const name of SERVICES) {
      const service = deployable(name);
      expect(service.command).toEqual(['node', 'deploy.ts']);
      expect(service.workingDirectory).toBe(join(CATALOG, name));
      expect(existsSync(join(CATALOG, name, 'deploy.ts'))).toBe(true);
    }
  });

  it('deploy from SLeD (local executor, no cluster): the log says so in one line and shows the manifests', async () => {
    const reporter = new Reporter();
    const executor = new LocalProcessExecutor({
      reporter,
      logger: silent,
      timeoutSeconds: 120,
    });
    for (const name of SERVICES) {
      // what the example data registers: a tag, not a digest
      const deploy = job(name, { image: `ghcr.io/example/${name}:1.3.0` });
      const outcome = reporter.outcome(deploy.deploy.id);
      await executor.start(deploy);
      const result = await outcome;
      const log = reporter.logs.get(deploy.deploy.id) ?? '';
      expect({ name, result, log }).toEqual({
        name,
        result: { status: 'succeeded', exitCode: 0 },
        log: expect.any(String),
      });
      const lines = log.split('\n');
      expect(lines[0]).toBe(
        `libdeploy: component:default/${name} 1.3.0 (c0ffee0) -> development: deploy`,
      );
      expect(
        lines.filter(l => l.startsWith('No Kubernetes cluster configured')),
      ).toEqual([
        'No Kubernetes cluster configured (no KUBECONFIG, not in a cluster): rendering the resources instead of applying them (dry run).',
      ]);
      expect(log).toMatch(
        /\nkind: (Deployment|StatefulSet)\nmetadata:\n {2}name: /,
      );
      expect(log).toContain(`    image: ghcr.io/example/${name}:1.3.0\n`);
      expect(log).toContain(`deploy ${deploy.deploy.id} finished (dry run): `);
      expect(log).not.toContain('Warning:'); // no warnings from Node
    }
    await executor.shutdown();
  });

  it('a dry run from SLeD passes --dry-run and SLED_DRY_RUN=1', async () => {
    const reporter = new Reporter();
    const executor = new LocalProcessExecutor({
      reporter,
      logger: silent,
      timeoutSeconds: 120,
    });
    const deploy = job('cart', {
      image: 'ghcr.io/example/cart:1.3.0',
      dryRun: true,
    });
    const outcome = reporter.outcome(deploy.deploy.id);
    await executor.start(deploy);
    expect(await outcome).toEqual({ status: 'succeeded', exitCode: 0 });
    const log = reporter.logs.get(deploy.deploy.id)!;
    expect(log).toContain('-> development: dry-run');
    expect(log).toContain('rendering only, no diff.');
    expect(log).toContain('kind: Deployment');
  });

  describe('with a cluster (the fake API server), as in a Kubernetes Job', () => {
    let cluster: FakeCluster;
    beforeAll(async () => {
      cluster = await startFakeCluster();
    });
    afterAll(() => cluster.stop());

    /** The Job's container: the same argv and contract, and cluster credentials. */
    function runWithCluster(deploy: DeployJob) {
      const [file, ...args] = deployArgv(deploy);
      return new Promise<{ code: number | null; output: string }>(done => {
        const child = spawn(file, args, {
          cwd: deploy.launch.workingDirectory,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            ...deployEnvironment(deploy),
            KUBECONFIG: cluster.kubeconfig,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', d => (output += d));
        child.stderr.on('data', d => (output += d));
        child.on('close', code => done({ code, output }));
      });
    }

    it.each([
      ['ledger', 'statefulsets', 'commerce'],
      ['payments', 'deployments', 'commerce'],
    ])(
      '%s applies its resources and waits for them',
      async (name, workloads, namespace) => {
        const image = `registry.example.com/${name}@sha256:${'c'.repeat(64)}`;
        const firstJob = job(name, { image });
        const first = await runWithCluster(firstJob);
        expect({ code: first.code, output: first.output }).toEqual({
          code: 0,
          output: expect.stringContaining(`apply: `),
        });
        expect(first.output).toContain(
          `kubernetes: cluster ${cluster.fake.url} (Kubernetes v1.34.1-fake), namespace ${namespace}`,
        );
        const workload = cluster.fake.resources.get(
          workloads,
          namespace,
          name,
        )!;
        expect(workload.spec.template.spec.containers[0].image).toBe(image);
        expect(workload.metadata.labels['sled.dev/service']).toBe(
          `component.default.${name}`,
        );
        expect(first.output).toMatch(
          new RegExp(`rollout: (Deployment|StatefulSet)/${name}: ready`),
        );
        expect(
          cluster.fake.resources.get('services', namespace, name),
        ).toBeDefined();

        // another deploy of the same artifact: nothing changes
        const versions = () =>
          [
            'deployments',
            'statefulsets',
            'services',
            'cronjobs',
            'poddisruptionbudgets',
          ]
            .flatMap(r => cluster.fake.resources.list(r, namespace))
            .filter(o => o.metadata.name.startsWith(name))
            .map(
              o => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`,
            )
            .sort();
        const before = versions();
        const again = await runWithCluster(
          job(name, { image, artifact: firstJob.artifact }),
        );
        expect(again.output).toMatch(/apply: .* unchanged/);
        expect(again.code).toBe(0);
        expect(again.output).not.toMatch(/apply: .* (created|configured)/);
        expect(versions()).toEqual(before);
      },
    );
  });
});
