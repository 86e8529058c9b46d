import { TestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { Deploy, isFinalDeployStatus } from '@internal/plugin-sled-common';
import fs from 'fs';
import path from 'path';
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

jest.setTimeout(150_000);

const SVC = 'component:default/busy';
const COUNT = 50;

describe('deploy queue under concurrent requests', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'runs %p: 50 parallel deploys of one target one at a time, in order, each once',
    async databaseId => {
      const { dir, cleanup } = makeTempDir('sled-concurrency-');
      // the script itself detects overlap: mkdir is atomic
      writeScript(
        dir,
        'deploy.sh',
        [
          'mkdir running.lock || { echo "overlapping deploy"; exit 1; }',
          'echo "$SLED_DEPLOY_ID" >> runs.txt',
          'echo "ran $SLED_DEPLOY_ID"',
          'rmdir running.lock',
        ].join('\n'),
      );
      const knex = await databases.init(databaseId);
      let backend: TestBackend | undefined;
      try {
        backend = await startSledBackend({
          knex,
          entities: [serviceEntity('busy', dir)],
        });
        const server = backend.server;
        const registered = await request(server)
          .post('/api/sled/artifacts')
          .set('Authorization', CI)
          .send({ entityRef: SVC, version: '1.0.0', commitSha: 'abcdef1' });
        expect(registered.status).toBe(201);

        // watch the running count while the burst is processed
        let watching = true;
        const runningSeen: number[] = [];
        const watcher = (async () => {
          while (watching) {
            const res = await request(server)
              .get(`/api/sled/deploys?entityRef=${SVC}&status=running`)
              .set('Authorization', USER);
            runningSeen.push(res.body.items.length);
            // leave the deploys the event loop (and SQLite's one connection)
            await new Promise(resolve => setTimeout(resolve, 20));
          }
        })();

        const responses = await Promise.all(
          Array.from({ length: COUNT }, () =>
            request(server)
              .post('/api/sled/deploys')
              .set('Authorization', USER)
              .send({
                entityRef: SVC,
                environment: 'local',
                artifactId: registered.body.id,
                force: true,
              }),
          ),
        );
        expect(responses.map(r => r.status)).toEqual(Array(COUNT).fill(202));
        const ids = responses.map(r => r.body.id as string);
        expect(new Set(ids).size).toBe(COUNT);

        const all = await eventually(async () => {
          const res = await request(server)
            .get(`/api/sled/deploys?entityRef=${SVC}&limit=500`)
            .set('Authorization', USER);
          const items = res.body.items as Deploy[];
          expect(items.every(d => isFinalDeployStatus(d.status))).toBe(true);
          return items;
        }, 120_000);
        watching = false;
        await watcher;

        // none lost, none duplicated, all succeeded
        expect(all.map(d => d.id).sort()).toEqual([...ids].sort());
        expect(
          all
            .filter(d => d.status !== 'succeeded')
            .map(d => [d.id, d.status, d.message]),
        ).toEqual([]);

        // at most one running at any moment
        expect(runningSeen.length).toBeGreaterThan(0);
        expect(Math.max(...runningSeen)).toBeLessThanOrEqual(1);
        const [{ count }] = await knex('sled_deploys')
          .where('status', 'running')
          .count({ count: '*' });
        expect(Number(count)).toBe(0);

        // in creation order (the list is newest first, by insertion sequence), each exactly once.
        // (createdAt is stamped before the insert, so under concurrent inserts it
        // may disagree with the sequence by a few ms; the queue follows the sequence.)
        const creationOrder = [...all].reverse();
        const runs = fs
          .readFileSync(path.join(dir, 'runs.txt'), 'utf8')
          .trim()
          .split('\n');
        expect(runs).toEqual(creationOrder.map(d => d.id));
        for (let i = 1; i < creationOrder.length; i++) {
          const previous = creationOrder[i - 1];
          const current = creationOrder[i];
          expect(Date.parse(current.startedAt!)).toBeGreaterThanOrEqual(
            Date.parse(previous.finishedAt!),
          );
          expect(Date.parse(current.startedAt!)).toBeGreaterThanOrEqual(
            Date.parse(previous.startedAt!),
          );
        }

        // every deploy kept its own output
        const logs = await Promise.all(
          ids
            .slice(0, 5)
            .map(id =>
              request(server)
                .get(`/api/sled/deploys/${id}/logs`)
                .set('Authorization', USER),
            ),
        );
        logs.forEach((res, i) => expect(res.text).toBe(`ran ${ids[i]}\n`));
      } finally {
        await backend?.stop();
        cleanup();
      }
    },
  );
});
