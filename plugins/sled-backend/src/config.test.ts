import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readSledConfig } from './config';
import sledPlugin from '.';

describe('readSledConfig', () => {
  const read = (sled: object) => readSledConfig(new ConfigReader({ sled }));

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
      },
      {
        name: 'production',
        executor: 'kubernetes',
        cluster: 'prod',
        namespace: 'sled',
        requireReason: true,
      },
    ]);
    expect(config.local.timeoutSeconds).toBe(900);
  });

  it.each([
    [
      { environments: [{ name: 'local', executor: 'bogus' }] },
      /sled\.environments\[0\]\.executor: unknown executor 'bogus'/,
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
