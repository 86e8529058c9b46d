import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { randomUUID } from 'crypto';
import { eventually, makeTempDir } from '../__testUtils__/processes';
import { DeployChecks } from '../checks/DeployChecks';
import { checkEnvironmentExtensions, readSledConfig } from '../config';
import { DatabaseDeployStore } from '../database/DatabaseDeployStore';
import { ExecutorRegistry } from '../executors/ExecutorRegistry';
import { localExecutor } from '../executors/localExecutor';
import { DeployerImagePolicy } from './DeployerImagePolicy';
import { createDeployCore } from './DeployCore';
import { RunnerLifecycle } from './RunnerLifecycle';

jest.setTimeout(30_000);

const SVC = 'component:default/unrecorded';

/** The store, but the next `failures` writes of an outcome fail (the database away for a moment). */
function withFailingOutcomes(store: DatabaseDeployStore, failures: number) {
  const failing: DatabaseDeployStore = Object.create(store);
  const attempts: string[] = [];
  failing.finishDeploy = async (id, outcome, runner) => {
    attempts.push(outcome.status);
    if (attempts.length <= failures) {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    }
    return store.finishDeploy(id, outcome, runner);
  };
  return { store: failing, attempts };
}

describe('a deploy whose outcome cannot be recorded at once', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let lifecycle: RunnerLifecycle | undefined;
  let cleanup: () => void = () => {};

  afterEach(async () => {
    await lifecycle?.shutdown();
    lifecycle = undefined;
    cleanup();
  });

  it('records a local deploy whose command could not start as failed once the store takes the write, instead of leaving it running', async () => {
    const knex = await databases.init('SQLITE_3');
    const real = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    const { store, attempts } = withFailingOutcomes(real, 2);
    const logger = mockServices.logger.mock();
    const runner = randomUUID();
    const environments = [{ name: 'local', executor: 'local' }];
    const config = readSledConfig(new ConfigReader({ sled: { environments } }));
    const executors = new ExecutorRegistry();
    executors.addExecutor(localExecutor({ timeoutSeconds: 60 }));
    const sledConfig = new ConfigReader({ sled: { environments } });
    checkEnvironmentExtensions(sledConfig, config.environments, {
      executors,
      checks: [],
    });
    const core = await createDeployCore({
      store,
      config,
      executors,
      checks: new DeployChecks(),
      images: new DeployerImagePolicy([]),
      logger,
      runnerId: runner,
    });
    lifecycle = core.lifecycle;
    await lifecycle.start();

    let dir: string;
    ({ dir, cleanup } = makeTempDir('sled-unrecorded-'));
    const { artifact } = await real.registerArtifact({
      entityRef: SVC,
      version: '1.0.0',
      commitSha: 'abcdef1234567',
    });
    const { deploy } = await core.requests.createDeploy(
      {
        entityRef: SVC,
        command: [`${dir}/no-such-deploy-script`],
        workingDirectory: dir,
      },
      core.environments.get('local'),
      { entityRef: SVC, environment: 'local', artifactId: artifact.id },
      { requestedBy: 'user:default/mock', canOverrideLock: async () => false },
    );

    const ended = await eventually(async () => {
      const current = (await real.getDeploy(deploy.id))!;
      expect(current.status).toBe('failed');
      return current;
    }, 15_000);
    expect(ended.message).toMatch(/^Could not start the deploy command/);
    expect(attempts).toEqual(['failed', 'failed', 'failed']);
    expect(await real.listRunning()).toEqual([]);
  });
});
