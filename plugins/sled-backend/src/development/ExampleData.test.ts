import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Artifact, Deploy } from '@internal/plugin-sled-common';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import yaml from 'yaml';
import { DatabaseDeployStore } from '../database/DatabaseDeployStore';
import sledPlugin from '../index';
import { eventually } from '../__testUtils__/processes';
import { serviceEntity, USER } from '../__testUtils__/sledBackend';
import { ServiceCatalog } from '../service/ServiceCatalog';
import { EXAMPLE_REQUESTER, ExampleData } from './ExampleData';

jest.setTimeout(60_000);

const ENVIRONMENTS = [
  { name: 'development', executor: 'local' },
  { name: 'staging', executor: 'local' },
  { name: 'production', executor: 'local', requireReason: true },
];
const SERVICES = ['alpha', 'beta'];
const ci = (token: string) => ({
  type: 'static',
  options: { token, subject: 'ci' },
  accessRestrictions: [
    { plugin: 'sled', permission: 'sled.artifact.register' },
  ],
});

describe('example data (sled.development.exampleData)', () => {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
  });

  it.each(databases.eachSupportedId())(
    'registers artifacts through the API with the CI token and records past history, once (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const entities = SERVICES.map(name =>
        serviceEntity(name, path.resolve(__dirname, '../../')),
      );
      let backend: TestBackend | undefined;
      try {
        backend = await startTestBackend({
          features: [
            sledPlugin,
            catalogServiceMock.factory({ entities }),
            mockServices.rootConfig.factory({
              data: {
                backend: {
                  // the mock auth accepts the mock service token as CI's
                  auth: {
                    externalAccess: [ci(mockCredentials.service.token())],
                  },
                },
                sled: {
                  environments: ENVIRONMENTS,
                  development: { exampleData: true },
                },
              },
            }),
            mockServices.database.factory({ knex }),
          ],
        });
        const server = backend.server;
        const get = (url: string) =>
          request(server).get(`/api/sled${url}`).set('Authorization', USER);

        // what a person sees on a first start: four versions per service
        const artifacts: Artifact[] = await eventually(async () => {
          const res = await get('/artifacts?limit=100');
          expect(res.body.items).toHaveLength(SERVICES.length * 4);
          return res.body.items;
        }, 30_000);
        for (const artifact of artifacts) {
          expect(artifact.mergeRequest).toEqual({
            url: expect.stringMatching(/^https:\/\/git\.example\.com\//),
            title: expect.stringMatching(/\(example\)$/),
            mergedAt: expect.any(String),
          });
        }
        // and a history in the past: older versions further along
        const state = await eventually(async () => {
          const res = await get('/state?entityRef=component:default/alpha');
          expect(res.status).toBe(200);
          expect(
            res.body.environments.map((e: any) => e.current?.artifact.version),
          ).toEqual(['1.2.0', '1.1.0', '1.0.0']);
          return res.body;
        });
        expect(state.environments[2].lastDeploy).toMatchObject({
          status: 'failed',
          artifactVersion: '1.1.0',
          requestedBy: EXAMPLE_REQUESTER,
          reason: 'example history: release of 1.1.0',
        });
        const history: Deploy[] = (
          await get('/deploys?entityRef=component:default/alpha&limit=100')
        ).body.items;
        expect(history).toHaveLength(3 + 2 + 2);
        for (const deploy of history) {
          expect(Date.parse(deploy.createdAt)).toBeLessThan(
            Date.now() - 3 * 24 * 3600_000,
          );
        }
        const log = await get(`/deploys/${history[0].id}/logs`);
        expect(log.text).toMatch(/example history, not a real deploy/);

        // once: a later run finds the database not empty and adds nothing
        const store = await DatabaseDeployStore.create({
          database: mockServices.database({ knex }),
        });
        const again = new ExampleData({
          store,
          services: new ServiceCatalog(
            catalogServiceMock({ entities }),
            mockServices.auth(),
          ),
          environments: ENVIRONMENTS as any,
          baseUrl: async () => 'http://localhost:1/never-called',
          token: 'unused',
          logger: mockServices.logger.mock(),
        });
        expect(await again.run()).toBe(0);
        expect((await store.listArtifacts({ limit: 100 })).items).toHaveLength(
          SERVICES.length * 4,
        );
      } finally {
        await backend?.stop();
      }
    },
  );

  it('is off unless the switch is on, and names the CI token it registers with', () => {
    const logger = mockServices.logger.mock();
    const deps = {
      store: {} as any,
      services: {} as any,
      environments: [],
      discovery: mockServices.discovery(),
      logger,
    };
    const config = (data: object) => mockServices.rootConfig({ data });
    expect(ExampleData.fromConfig(config({}), deps)).toBeUndefined();
    expect(
      ExampleData.fromConfig(
        config({
          backend: { auth: { externalAccess: [ci('t')] } },
          sled: { development: { exampleData: false } },
        }),
        deps,
      ),
    ).toBeUndefined();
    expect(
      ExampleData.fromConfig(
        config({ sled: { development: { exampleData: true } } }),
        deps,
      ),
    ).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /no static externalAccess token has the subject ci/,
      ),
    );
    expect(
      ExampleData.fromConfig(
        config({
          backend: { auth: { externalAccess: [ci('t')] } },
          sled: { development: { exampleData: true } },
        }),
        deps,
      ),
    ).toBeInstanceOf(ExampleData);
  });

  it('is on in app-config.yaml and off with app-config.production.yaml on top', () => {
    const read = (file: string) =>
      yaml.parse(
        fs.readFileSync(path.resolve(__dirname, '../../../..', file), 'utf8'),
      );
    const development = read('app-config.yaml');
    const production = read('app-config.production.yaml');
    expect(development.sled.development.exampleData).toBe(true);
    // layered as the backend layers them: the later file wins
    const layered = ConfigReader.fromConfigs([
      { context: 'app-config.yaml', data: development },
      { context: 'app-config.production.yaml', data: production },
    ]);
    expect(layered.getOptionalBoolean('sled.development.exampleData')).toBe(
      false,
    );
  });
});
