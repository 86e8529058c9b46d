import { createBackendModule } from '@backstage/backend-plugin-api';
import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  DeployCheckContext,
  DeployCheckRefusal,
  sledDeployChecksExtensionPoint,
} from '@internal/plugin-sled-node';
import { Knex } from 'knex';
import request from 'supertest';
import {
  paymentsEntity,
  readLog,
  registerArtifact,
  SERVICE,
  startSled,
  USER,
  waitForEnd,
} from './__testUtils__/sledTestBackend';
import sledModuleEchoExecutor from './index';

const GROUP = 'deploygroup:default/pay-group';
const payGroupEntity: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'pay-group', namespace: 'default' },
  spec: { owner: 'team-a', members: [SERVICE] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/** A test module adding the `freeze` check, which asks `decide` and records what it saw. */
function freezeCheckModule(
  decide: (context: DeployCheckContext) => DeployCheckRefusal | undefined,
  seen: DeployCheckContext[],
) {
  return createBackendModule({
    pluginId: 'sled',
    moduleId: 'test-freeze-check',
    register(env) {
      env.registerInit({
        deps: { checks: sledDeployChecksExtensionPoint },
        async init({ checks }) {
          checks.addCheck({
            name: 'freeze',
            async evaluate(context) {
              seen.push(context);
              return decide(context);
            },
          });
        },
      });
    },
  });
}

const FROZEN = { message: 'sandbox is frozen until Monday (change board)' };

describe('deploy checks added by a module', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: TestBackend | undefined;
  let knex: Knex;
  let seen: DeployCheckContext[];

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  async function start(
    decide: (context: DeployCheckContext) => DeployCheckRefusal | undefined,
  ) {
    knex = await databases.init('SQLITE_3');
    seen = [];
    backend = await startSled({
      knex,
      features: [sledModuleEchoExecutor, freezeCheckModule(decide, seen)],
      entities: [paymentsEntity, payGroupEntity],
      sled: {
        environments: [
          { name: 'sandbox', executor: 'echo', checks: ['freeze'] },
          { name: 'unchecked', executor: 'echo' },
        ],
      },
    });
    return backend;
  }

  const deploy = (b: TestBackend, environment: string, artifactId: string) =>
    request(b.server)
      .post('/api/sled/deploys')
      .set('Authorization', USER)
      .send({ entityRef: SERVICE, environment, artifactId });

  it('refuses a deploy before it is queued with 409 and the message, writing nothing', async () => {
    const b = await start(() => FROZEN);
    const artifact = await registerArtifact(b);

    const res = await deploy(b, 'sandbox', artifact.id);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `Refused by deploy check 'freeze': ${FROZEN.message}`,
    );
    expect(await knex('sled_deploys').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(seen).toEqual([
      expect.objectContaining({
        phase: 'queue',
        entityRef: SERVICE,
        environment: expect.objectContaining({
          name: 'sandbox',
          checks: ['freeze'],
        }),
        artifact: expect.objectContaining({ id: artifact.id }),
        requestedBy: 'user:default/mock',
        dryRun: false,
        force: false,
      }),
    ]);

    // an environment that does not list the check does not run it
    const unchecked = await deploy(b, 'unchecked', artifact.id);
    expect(unchecked.status).toBe(202);
    expect((await waitForEnd(b, unchecked.body.id)).status).toBe('succeeded');
    expect(seen).toHaveLength(1);
  });

  it('refuses a deploy right before it starts: it fails naming the check, and its executor never runs', async () => {
    const b = await start(context =>
      context.phase === 'start' ? FROZEN : undefined,
    );
    const artifact = await registerArtifact(b);

    const res = await deploy(b, 'sandbox', artifact.id);
    expect(res.status).toBe(202);
    const ended = await waitForEnd(b, res.body.id);
    expect(ended).toMatchObject({
      status: 'failed',
      message: `Refused by deploy check 'freeze' before it started: ${FROZEN.message}`,
    });
    expect(ended.execution).toBeUndefined();
    // the echo executor writes the argv first: it never ran
    expect(await readLog(b, ended.id)).toBe('');
    expect(seen.map(c => [c.phase, c.deployId])).toEqual([
      ['queue', undefined],
      ['start', ended.id],
    ]);
  });

  it('refuses a release whose member a check refuses, writing nothing', async () => {
    const b = await start(() => FROZEN);
    await registerArtifact(b);
    const res = await request(b.server)
      .post('/api/sled/releases')
      .set('Authorization', USER)
      .send({ deployGroup: GROUP, environment: 'sandbox' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      `Refused by deploy check 'freeze': ${FROZEN.message}`,
    );
    expect(await knex('sled_releases').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await knex('sled_deploys').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('refuses a deploy when the check throws: a check that cannot decide keeps it out', async () => {
    const b = await start(() => {
      throw new Error('the change calendar is unreachable');
    });
    const artifact = await registerArtifact(b);
    const res = await deploy(b, 'sandbox', artifact.id);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      "Refused by deploy check 'freeze': the check could not decide: the change calendar is unreachable",
    );
  });

  it('fails start-up on an environment listing a check no module added', async () => {
    await expect(
      startSled({
        features: [sledModuleEchoExecutor],
        sled: {
          environments: [
            { name: 'sandbox', executor: 'echo', checks: ['freeze'] },
          ],
        },
      }),
    ).rejects.toThrow(
      "Invalid config at sled.environments[0].checks[0]: unknown deploy check 'freeze', registered: none",
    );
  });
});
