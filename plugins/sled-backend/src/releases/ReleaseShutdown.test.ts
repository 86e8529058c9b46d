import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { Release } from '@internal/plugin-sled-common';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import {
  eventually,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  CI,
  serviceEntity,
  startSledBackend,
  USER,
} from '../__testUtils__/sledBackend';

jest.setTimeout(90_000);

const MEMBER = 'component:default/shutdown-member';
const GROUP = 'deploygroup:default/shutdown-group';

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'shutdown-group', namespace: 'default' },
  spec: { owner: 'team-a', members: [MEMBER] },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/** Statements of one connection pool that write a release or its members. */
function releaseWritesOf(knex: Knex): string[] {
  const writes: string[] = [];
  knex.on('query', (query: { sql: string }) => {
    if (
      /^\s*(insert|update|delete)\b/i.test(query.sql) &&
      /sled_release/i.test(query.sql)
    ) {
      writes.push(query.sql);
    }
  });
  return writes;
}

describe('a backend that shuts down', () => {
  // two backends on one database, each with its own connections, so each
  // one's statements can be told apart
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
  const backends: TestBackend[] = [];
  const pools: Knex[] = [];
  let cleanup: () => void = () => {};

  afterEach(async () => {
    for (const backend of backends.splice(0)) await backend.stop();
    for (const pool of pools.splice(0)) await pool.destroy();
    cleanup();
  });

  it.each(databases.eachSupportedId())(
    'stops its release planners before it is gone: they write nothing more, and the backend that takes the release over finishes it (%p)',
    async databaseId => {
      let dir: string;
      ({ dir, cleanup } = makeTempDir('sled-release-shutdown-'));
      // runs until its backend stops it
      writeScript(dir, 'deploy.sh', 'sleep 60 &\nwait');
      const entities = [
        serviceEntity('shutdown-member', dir, { deployGroup: GROUP }),
        group,
      ];
      const first = await databases.init(databaseId);
      const second = knexFactory(first.client.config);
      pools.push(second);

      const stopping = await startSledBackend({ knex: first, entities });
      backends.push(stopping);
      const artifact = await request(stopping.server)
        .post('/api/sled/artifacts')
        .set('Authorization', CI)
        .send({
          entityRef: MEMBER,
          version: '1.0.0',
          commitSha: 'abcdef1234567',
        });
      expect(artifact.status).toBe(201);
      const created = await request(stopping.server)
        .post('/api/sled/releases')
        .set('Authorization', USER)
        .send({ deployGroup: GROUP, environment: 'local' });
      expect(created.status).toBe(202);
      const id = created.body.id;
      await eventually(async () => {
        const res = await request(stopping.server)
          .get(`/api/sled/releases/${id}`)
          .set('Authorization', USER);
        expect(res.body.members[0]).toMatchObject({ status: 'running' });
        const row = await second('sled_release_members')
          .where({ release_id: id })
          .first();
        expect(row.deploy_id).toBeTruthy();
      }, 20_000);

      const writesWhileStopping = releaseWritesOf(first);
      backends.splice(backends.indexOf(stopping), 1);
      await stopping.stop();
      // left running, for another backend to resume
      expect((await second('sled_releases').where({ id }).first()).status).toBe(
        'running',
      );

      const taking = await startSledBackend({ knex: second, entities });
      backends.push(taking);
      const finished = await eventually(async () => {
        const res = await request(taking.server)
          .get(`/api/sled/releases/${id}`)
          .set('Authorization', USER);
        expect(res.body.status).not.toBe('running');
        return res.body as Release;
      }, 30_000);
      // the member's deploy ended with the backend that ran it
      expect(finished.status).toBe('failed');
      expect(finished.members[0].status).toBe('failed');
      expect(writesWhileStopping).toEqual([]);
    },
  );
});
