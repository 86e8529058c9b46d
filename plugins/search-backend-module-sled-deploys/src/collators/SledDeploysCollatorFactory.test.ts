import {
  AuthService,
  coreServices,
  createBackendModule,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { RegisterCollatorParameters } from '@backstage/plugin-search-backend-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import {
  SledDeployDocument,
  sledReadPermission,
} from '@internal/plugin-sled-common';
// the real sled backend, so the collator is tested against its API (a dev dependency only)
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import sledPlugin from '@internal/plugin-sled-backend';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { Readable } from 'stream';
import searchModuleSledDeploys from '../index';
import { SledDeploysCollatorFactory } from './SledDeploysCollatorFactory';

jest.setTimeout(60_000);

const DAY = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) =>
  new Date(Date.now() - days * DAY).toISOString();

function service(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'sled.dev/deploy-command': 'true' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

/** Everything a test needs: the real sled backend and the module's collator. */
interface Harness {
  backend: TestBackend;
  knex: Knex;
  /** the factory the module registered with the search backend */
  registered: RegisterCollatorParameters;
  services: {
    discovery: DiscoveryService;
    auth: AuthService;
    logger: LoggerService;
  };
  /** the schedule the module asked the scheduler for */
  schedule: () => unknown;
}

async function startHarness(knex: Knex, search: object = {}): Promise<Harness> {
  const addCollator = jest.fn();
  const scheduler = mockServices.scheduler.mock();
  let services: Harness['services'] | undefined;
  // a module beside ours, to get the search plugin's own services
  const capture = createBackendModule({
    pluginId: 'search',
    moduleId: 'test-capture',
    register(env) {
      env.registerInit({
        deps: {
          discovery: coreServices.discovery,
          auth: coreServices.auth,
          logger: coreServices.logger,
        },
        async init(deps) {
          services = deps;
        },
      });
    },
  });
  const backend = await startTestBackend({
    extensionPoints: [
      [
        searchIndexRegistryExtensionPoint,
        { addCollator, addDecorator: jest.fn() },
      ],
    ],
    features: [
      sledPlugin,
      searchModuleSledDeploys,
      capture,
      scheduler.factory,
      catalogServiceMock.factory({
        entities: [service('payments'), service('ledger')],
      }),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          sled: {
            environments: [
              { name: 'local', executor: 'local' },
              { name: 'production', executor: 'local', requireReason: true },
            ],
          },
          search: { collators: { sledDeploys: search } },
        },
      }),
    ],
  });
  expect(addCollator).toHaveBeenCalledTimes(1);
  return {
    backend,
    knex,
    registered: addCollator.mock.calls[0][0],
    services: services!,
    schedule: () => scheduler.createScheduledTaskRunner.mock.calls[0][0],
  };
}

const baseUrl = (h: Harness) =>
  `http://localhost:${h.backend.server.port()}/api/sled`;

async function registerArtifact(
  h: Harness,
  entityRef: string,
  version: string,
) {
  const res = await fetch(`${baseUrl(h)}/artifacts`, {
    method: 'POST',
    headers: {
      Authorization: mockCredentials.service.header(),
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      entityRef,
      version,
      commitSha: 'c0ffee1234abcd',
      mergeRequest: {
        url: 'https://git.example.com/payments/-/merge_requests/42',
        title: `Faster refunds (${version})`,
      },
    }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; version: string };
}

/** A finished deploy written straight to the table, with any created_at. */
async function insertDeploy(
  knex: Knex,
  deploy: {
    entityRef: string;
    environment?: string;
    artifact: { id: string; version: string };
    createdAt: string;
    status?: string;
    message?: string;
    requestedBy?: string;
  },
): Promise<string> {
  const id = randomUUID();
  await knex('sled_deploys').insert({
    id,
    entity_ref: deploy.entityRef,
    owner_ref: 'group:default/team-a',
    environment: deploy.environment ?? 'local',
    artifact_id: deploy.artifact.id,
    artifact_version: deploy.artifact.version,
    status: deploy.status ?? 'succeeded',
    message: deploy.message ?? null,
    dry_run: false,
    force: false,
    requested_by: deploy.requestedBy ?? 'user:default/alice',
    launch: JSON.stringify({ command: ['true'] }),
    created_at: deploy.createdAt,
    started_at: deploy.createdAt,
    finished_at: deploy.createdAt,
  });
  return id;
}

async function collect(readable: Readable): Promise<SledDeployDocument[]> {
  const documents: SledDeployDocument[] = [];
  for await (const document of readable) documents.push(document);
  return documents;
}

async function waitForFinal(h: Harness, id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`${baseUrl(h)}/deploys/${id}`, {
      headers: { Authorization: mockCredentials.user.header() },
    });
    const body = await res.json();
    if (
      ['succeeded', 'failed', 'cancelled', 'lost', 'skipped'].includes(
        body.status,
      )
    )
      return body;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`deploy ${id} did not finish`);
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'SledDeploysCollatorFactory on %p',
  (databaseId: TestDatabaseId) => {
    let h: Harness;

    afterEach(async () => {
      jest.restoreAllMocks();
      await h?.backend.stop();
    });

    it('is registered with the default schedule and the read permission', async () => {
      h = await startHarness(await databases.init(databaseId));
      const factory = h.registered.factory;
      expect(factory).toBeInstanceOf(SledDeploysCollatorFactory);
      expect(factory.type).toBe('sled-deploy');
      expect(factory.visibilityPermission).toBe(sledReadPermission);
      expect(h.schedule()).toEqual({
        frequency: { minutes: 10 },
        timeout: { minutes: 15 },
        initialDelay: { seconds: 10 },
      });
    });

    it('takes its schedule from config', async () => {
      h = await startHarness(await databases.init(databaseId), {
        schedule: { frequency: { seconds: 30 }, timeout: { minutes: 5 } },
      });
      expect(h.schedule()).toEqual({
        frequency: { seconds: 30 },
        timeout: { minutes: 5 },
      });
    });

    it('indexes a deploy made through the API with its title, text, location and fields', async () => {
      h = await startHarness(await databases.init(databaseId));
      const artifact = await registerArtifact(
        h,
        'component:default/payments',
        '1.4.2',
      );
      const res = await fetch(`${baseUrl(h)}/deploys`, {
        method: 'POST',
        headers: {
          Authorization: mockCredentials.user.header('user:default/alice'),
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          entityRef: 'component:default/payments',
          environment: 'production',
          artifactId: artifact.id,
          reason: 'refund fix for ticket PAY-77',
        }),
      });
      expect(res.status).toBe(202);
      const deploy = await waitForFinal(h, (await res.json()).id);
      expect(deploy.status).toBe('succeeded');

      const documents = await collect(await h.registered.factory.getCollator());

      expect(documents).toEqual([
        {
          title: 'payments 1.4.2 → production',
          text: expect.any(String),
          location: `/catalog/default/component/payments/sled-history?deploy=${deploy.id}`,
          authorization: {
            resourceRef: 'component:default/payments#production',
          },
          deployId: deploy.id,
          entityRef: 'component:default/payments',
          environment: 'production',
          status: 'succeeded',
          version: '1.4.2',
          createdAt: deploy.createdAt,
          requestedBy: 'user:default/alice',
          commitSha: 'c0ffee1234abcd',
          mergeRequestTitle: 'Faster refunds (1.4.2)',
        },
      ]);
      const { text } = documents[0];
      expect(text).toContain('user:default/alice');
      expect(text).toContain('succeeded');
      expect(text).toContain('refund fix for ticket PAY-77');
      expect(text).toContain('c0ffee1234abcd');
      expect(text).toContain('Faster refunds (1.4.2)');
    });

    it('indexes a deploy whose Job vanished as lost, saying so in its text', async () => {
      h = await startHarness(await databases.init(databaseId));
      const artifact = await registerArtifact(
        h,
        'component:default/payments',
        '1.4.3',
      );
      const id = await insertDeploy(h.knex, {
        entityRef: 'component:default/payments',
        environment: 'production',
        artifact,
        createdAt: daysAgo(1 / 24),
        status: 'lost',
        message:
          'lost: the Job sled-deploys/sled-1 no longer exists in cluster production',
      });

      const documents = await collect(await h.registered.factory.getCollator());
      expect(documents).toEqual([
        expect.objectContaining({ deployId: id, status: 'lost' }),
      ]);
      expect(documents[0].text).toContain('alice: lost.');
      expect(documents[0].text).toContain('no longer exists');
    });

    it('indexes only the deploys of the configured window, newest first', async () => {
      h = await startHarness(await databases.init(databaseId), {
        windowDays: 7,
      });
      const artifact = await registerArtifact(
        h,
        'component:default/ledger',
        '2.0.0',
      );
      const ledger = { entityRef: 'component:default/ledger', artifact };
      const twoDays = await insertDeploy(h.knex, {
        ...ledger,
        createdAt: daysAgo(2),
      });
      const oneHour = await insertDeploy(h.knex, {
        ...ledger,
        createdAt: daysAgo(1 / 24),
      });
      await insertDeploy(h.knex, { ...ledger, createdAt: daysAgo(8) });
      await insertDeploy(h.knex, { ...ledger, createdAt: daysAgo(40) });

      const documents = await collect(await h.registered.factory.getCollator());
      expect(documents.map(d => d.deployId)).toEqual([oneHour, twoDays]);

      // the API filters the window itself, so the collator never pages through old rows
      const windowed = await fetch(
        `${baseUrl(h)}/deploys?createdAfter=${encodeURIComponent(
          daysAgo(7),
        )}&limit=1`,
        { headers: { Authorization: mockCredentials.user.header() } },
      ).then(r => r.json());
      expect(windowed.items.map((d: { id: string }) => d.id)).toEqual([
        oneHour,
      ]);
      const second = await fetch(
        `${baseUrl(h)}/deploys?createdAfter=${encodeURIComponent(
          daysAgo(7),
        )}&limit=1&cursor=${windowed.nextCursor}`,
        { headers: { Authorization: mockCredentials.user.header() } },
      ).then(r => r.json());
      expect(second).toEqual({
        items: [expect.objectContaining({ id: twoDays })],
      });

      // the default window is 30 days
      const wide = new SledDeploysCollatorFactory({ ...h.services });
      expect(await collect(await wide.getCollator())).toHaveLength(3);
    });

    it('gives each document a resource ref the sled permission integration resolves', async () => {
      h = await startHarness(await databases.init(databaseId));
      const artifact = await registerArtifact(
        h,
        'component:default/ledger',
        '2.0.0',
      );
      const ledger = { entityRef: 'component:default/ledger', artifact };
      await insertDeploy(h.knex, {
        ...ledger,
        environment: 'local',
        createdAt: daysAgo(1),
      });
      await insertDeploy(h.knex, {
        ...ledger,
        environment: 'production',
        createdAt: daysAgo(1),
      });
      const documents = await collect(await h.registered.factory.getCollator());
      expect(documents.map(d => d.authorization?.resourceRef)).toEqual([
        'component:default/ledger#production',
        'component:default/ledger#local',
      ]);

      // what the permission backend does for a conditional decision on a search
      // result: "only local" must allow the local deploy and hide production's
      const res = await fetch(
        `${baseUrl(h)}/.well-known/backstage/permissions/apply-conditions`,
        {
          method: 'POST',
          headers: {
            Authorization: mockCredentials.service.header(),
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({
            items: documents.map((d, i) => ({
              id: String(i),
              resourceRef: d.authorization!.resourceRef,
              resourceType: 'sled-target',
              conditions: {
                rule: 'IS_ENVIRONMENT',
                resourceType: 'sled-target',
                params: { environments: ['local'] },
              },
            })),
          }),
        },
      );
      expect(res.status).toBe(200);
      expect((await res.json()).items).toEqual([
        { id: '0', result: 'DENY' },
        { id: '1', result: 'ALLOW' },
      ]);
    });

    it('streams: reads one page of deploys at a time, as documents are consumed', async () => {
      h = await startHarness(await databases.init(databaseId));
      const artifacts = [
        await registerArtifact(h, 'component:default/payments', '1.0.0'),
        await registerArtifact(h, 'component:default/payments', '1.0.1'),
        await registerArtifact(h, 'component:default/payments', '1.0.2'),
      ];
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) {
        ids.unshift(
          await insertDeploy(h.knex, {
            entityRef: 'component:default/payments',
            artifact: artifacts[i % 3],
            createdAt: daysAgo((50 - i) / 100),
          }),
        );
      }
      const fetchSpy = jest.spyOn(global, 'fetch');
      const requested = (what: RegExp) =>
        fetchSpy.mock.calls.filter(([input]) =>
          what.test(input instanceof Request ? input.url : String(input)),
        ).length;

      const factory = new SledDeploysCollatorFactory({
        ...h.services,
        pageSize: 20,
      });
      const readable = await factory.getCollator();
      const iterator = readable[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value.deployId).toBe(ids[0]);
      // the first document is out after one page, not after reading everything
      expect(requested(/\/deploys\?/)).toBe(1);

      const rest: SledDeployDocument[] = [];
      for (
        let next = await iterator.next();
        !next.done;
        next = await iterator.next()
      ) {
        rest.push(next.value);
      }
      expect([first.value, ...rest].map(d => d.deployId)).toEqual(ids);
      expect(requested(/\/deploys\?/)).toBe(3); // 20 + 20 + 10
      expect(requested(/\/artifacts\?/)).toBe(1); // one batch, then cached across pages
    });

    it('fails the run when the sled API refuses', async () => {
      h = await startHarness(await databases.init(databaseId));
      const factory = new SledDeploysCollatorFactory({
        ...h.services,
        auth: {
          getOwnServiceCredentials: () =>
            h.services.auth.getOwnServiceCredentials(),
          getPluginRequestToken: async () => ({ token: 'not-a-token' }),
        } as Partial<AuthService> as AuthService,
      });
      await expect(collect(await factory.getCollator())).rejects.toThrow(/401/);
    });
  },
);
