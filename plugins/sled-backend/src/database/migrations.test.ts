import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@internal/plugin-sled-backend',
  'migrations',
);
const TRUST_BOUNDARY = '20261201000000_lock_owners.js';

/** Runs the migrations one by one up to and including `name`. */
async function migrateThrough(knex: Knex, name: string) {
  for (;;) {
    const [, pending] = await knex.migrate.list({ directory });
    const next = pending[0]?.file;
    if (!next) throw new Error(`no migration ${name}`);
    await knex.migrate.up({ directory });
    if (next === name) return;
  }
}

const now = new Date().toISOString();

function artifact(id: string, entityRef: string, spec: object) {
  return {
    id,
    entity_ref: entityRef,
    owner_ref: 'group:default/team-a',
    version: id,
    spec: JSON.stringify(spec),
    content_hash: id,
    created_at: now,
  };
}

function deploy(id: string, artifactId: string, status: string) {
  return {
    id,
    entity_ref: 'component:default/svc',
    environment: 'local',
    artifact_id: artifactId,
    artifact_version: artifactId,
    status,
    requested_by: 'user:default/u',
    launch: JSON.stringify({ command: ['./deploy.sh'] }),
    created_at: now,
  };
}

describe('migrations of the trust boundary', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateThrough(knex, '20261129000000_deploy_runners.js');
    });

    it('backfills the owner of service locks from their newest artifact', async () => {
      await knex('sled_artifacts').insert([
        {
          ...artifact('a1', 'component:default/svc', {}),
          owner_ref: 'group:default/old',
        },
        {
          ...artifact('a2', 'component:default/svc', {}),
          owner_ref: 'group:default/new',
        },
      ]);
      await knex('sled_locks').insert([
        {
          id: 'l1',
          environment: 'local',
          entity_ref: 'component:default/svc',
          reason: 'r',
          created_by: 'u',
          created_at: now,
        },
        {
          id: 'l2',
          environment: 'local',
          reason: 'r',
          created_by: 'u',
          created_at: now,
        },
      ]);
      await migrateThrough(knex, TRUST_BOUNDARY);
      const rows = await knex('sled_locks')
        .select('id', 'owner_ref')
        .orderBy('id');
      expect(rows).toEqual([
        { id: 'l1', owner_ref: 'group:default/new' },
        { id: 'l2', owner_ref: null },
      ]);
    });

    it('fails queued deploys whose artifact named a command, and no others', async () => {
      await migrateThrough(knex, TRUST_BOUNDARY);
      await knex('sled_artifacts').insert([
        artifact('named', 'component:default/svc', {
          deploy: { command: ['/bin/sh', '-c', 'id'] },
        }),
        artifact('plain', 'component:default/svc', {
          deploy: { image: 'x@sha256:1' },
        }),
      ]);
      await knex('sled_deploys').insert([
        deploy('d-named-queued', 'named', 'queued'),
        deploy('d-named-done', 'named', 'succeeded'),
        deploy('d-plain-queued', 'plain', 'queued'),
      ]);
      await knex.migrate.latest({ directory });
      const rows = await knex('sled_deploys')
        .select('id', 'status', 'message')
        .orderBy('id');
      expect(rows).toEqual([
        { id: 'd-named-done', status: 'succeeded', message: null },
        {
          id: 'd-named-queued',
          status: 'failed',
          message: expect.stringMatching(
            /^Refused: its artifact named the deploy command/,
          ),
        },
        { id: 'd-plain-queued', status: 'queued', message: null },
      ]);
    });
  });
});

describe('migration to the lost status', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'gives deploys recorded failed as "lost: ..." the status lost, and no others (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateThrough(knex, '20261201000100_refuse_artifact_commands.js');
      await knex('sled_artifacts').insert(
        artifact('a', 'component:default/svc', {}),
      );
      await knex('sled_deploys').insert([
        {
          ...deploy('d-vanished', 'a', 'failed'),
          message: 'lost: the Job sled-deploys/sled-1 no longer exists',
        },
        {
          ...deploy('d-failed', 'a', 'failed'),
          message: 'The deploy script exited with code 3',
        },
        deploy('d-succeeded', 'a', 'succeeded'),
      ]);
      await knex.migrate.latest({ directory });
      const rows = await knex('sled_deploys')
        .select('id', 'status')
        .orderBy('id');
      expect(rows).toEqual([
        { id: 'd-failed', status: 'failed' },
        { id: 'd-succeeded', status: 'succeeded' },
        { id: 'd-vanished', status: 'lost' },
      ]);
    },
  );
});
