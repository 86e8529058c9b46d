import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { checkEnvironmentExtensions, readSledConfig } from './config';
import { ExecutorRegistry } from './executors/ExecutorRegistry';
import { kubernetesExecutor } from './executors/kubernetes';
import { localExecutor } from './executors/localExecutor';
import sledPlugin from '.';

describe('readSledConfig', () => {
  const read = (sled: object, checks = ['freeze']) => {
    const config = new ConfigReader({ sled });
    const sledConfig = readSledConfig(config);
    const executors = new ExecutorRegistry();
    executors.addExecutor(localExecutor({ timeoutSeconds: 1 }));
    executors.addExecutor(
      kubernetesExecutor({
        config,
        sledConfig,
        scheduler: mockServices.scheduler.mock(),
      }),
    );
    checkEnvironmentExtensions(config, sledConfig.environments, {
      executors,
      checks,
    });
    return sledConfig;
  };

  it('reads environments with defaults', () => {
    const config = read({
      environments: [
        { name: 'local', executor: 'local' },
        {
          name: 'production',
          executor: 'kubernetes',
          cluster: 'prod',
          namespace: 'sled',
          requireReason: true,
        },
      ],
    });
    expect(config.environments).toEqual([
      {
        name: 'local',
        executor: 'local',
        cluster: undefined,
        namespace: undefined,
        requireReason: false,
        checks: [],
      },
      {
        name: 'production',
        executor: 'kubernetes',
        cluster: 'prod',
        namespace: 'sled',
        requireReason: true,
        checks: [],
      },
    ]);
    expect(config.local.timeoutSeconds).toBe(900);
  });

  it('reads the deploy checks an environment lists', () => {
    const config = read({
      environments: [
        { name: 'local', executor: 'local', checks: ['freeze', 'freeze'] },
      ],
    });
    expect(config.environments[0].checks).toEqual(['freeze']);
  });

  it.each([
    [
      { environments: [{ name: 'local', executor: 'bogus' }] },
      /sled\.environments\[0\]\.executor: unknown executor 'bogus', registered: kubernetes, local$/,
    ],
    [
      {
        environments: [
          { name: 'local', executor: 'local', checks: ['freeze', 'nope'] },
        ],
      },
      /sled\.environments\[0\]\.checks\[1\]: unknown deploy check 'nope', registered: freeze$/,
    ],
    [
      { environments: [{ name: 'Prod!', executor: 'local' }] },
      /sled\.environments\[0\]\.name/,
    ],
    [
      {
        environments: [
          { name: 'a', executor: 'local' },
          { name: 'a', executor: 'local' },
        ],
      },
      /sled\.environments\[1\]\.name: environment 'a' is listed twice/,
    ],
    [
      { environments: [{ name: 'staging', executor: 'kubernetes' }] },
      /sled\.environments\[0\]: the kubernetes executor needs both 'cluster' and 'namespace'/,
    ],
    [
      { environments: [], local: { timeoutSeconds: -1 } },
      /sled\.local\.timeoutSeconds: must be a positive integer/,
    ],
  ])('refuses %j naming the key', (sled, message) => {
    expect(() => read(sled)).toThrow(message);
  });
});

describe('backend start-up', () => {
  it('stops with a message naming the key when sled config is bad', async () => {
    await expect(
      startTestBackend({
        features: [
          sledPlugin,
          catalogServiceMock.factory({ entities: [] }),
          mockServices.rootConfig.factory({
            data: {
              sled: { environments: [{ name: 'local', executor: 'bogus' }] },
            },
          }),
        ],
      }),
    ).rejects.toThrow(/sled\.environments\[0\]\.executor/);
  });
});
