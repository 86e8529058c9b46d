import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, InputError } from '@backstage/errors';
import {
  Artifact,
  Deploy,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { DatabaseDeployStore } from './DatabaseDeployStore';
import { NewDeploy, SledTargetFilter, SledTargetQuery } from './DeployStore';

jest.setTimeout(60_000);

const SVC_A = 'component:default/svc-a';
const SVC_B = 'component:default/svc-b';
/** the backend that claims deploys in these tests */
const RUNNER = 'runner-a';
const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

function artifactRequest(
  entityRef: string,
  version: string,
  extra: Partial<RegisterArtifactRequest> = {},
): RegisterArtifactRequest {
  return {
    entityRef,
    version,
    commitSha: 'abcdef1234567',
    image: `registry.example/${version}`,
    ...extra,
  };
}

function newDeploy(
  artifact: Artifact,
  overrides: Partial<NewDeploy> = {},
): NewDeploy {
  return {
    entityRef: artifact.entityRef,
    ownerRef: artifact.ownerRef,
    environment: 'staging',
    artifact,
    status: 'queued',
    dryRun: false,
    force: false,
    requestedBy: 'user:default/mock',
    launch: { command: ['./deploy.sh'] },
    ...overrides,
  };
}

/**
 * The message a promise rejects with. (Driver errors can come from another
 * realm when jest runs files in one process, so `rejects.toThrow()` is unreliable.)
 */
async function rejection(promise: PromiseLike<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as Error)?.message ?? error);
  }
  return 'resolved';
}

/** The rules' `apply` semantics: a missing value never matches. */
function matches(deploy: Deploy, filter: SledTargetFilter): boolean {
  if ('allOf' in filter) return filter.allOf.every(f => matches(deploy, f));
  if ('anyOf' in filter) return filter.anyOf.some(f => matches(deploy, f));
  if ('not' in filter) return !matches(deploy, filter.not);
  const q = filter as SledTargetQuery;
  const value = {
    environment: deploy.environment,
    entity_ref: deploy.entityRef,
    owner_ref: deploy.ownerRef,
  }[q.column];
  return value !== undefined && q.values.includes(value);
}

describe('DatabaseDeployStore', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function createStore(databaseId: Parameters<typeof databases.init>[0]) {
    const knex = await databases.init(databaseId);
    const store = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  async function listAll(
    store: DatabaseDeployStore,
    options: Omit<Parameters<DatabaseDeployStore['listDeploys']>[0], 'cursor'>,
  ) {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listDeploys({ ...options, cursor });
      expect(page.items.length).toBeLessThanOrEqual(options.limit);
      ids.push(...page.items.map(d => d.id));
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(100);
    } while (cursor);
    return ids;
  }

  describe.each(databases.eachSupportedId())('%p', databaseId => {
    let store: DatabaseDeployStore;
    let knex: Knex;

    beforeEach(async () => {
      ({ store, knex } = await createStore(databaseId));
    });

    // ------------------------------------------------------------- artifacts

    it('registers an artifact, replays identical content and refuses different content', async () => {
      const request = artifactRequest(SVC_A, '1.0.0', {
        mergeRequest: { url: 'https://git.example/mr/1', title: 'Fix' },
        deploy: {
          image:
            'registry.example/deployers/svc-a@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        },
      });
      const first = await store.registerArtifact(request, TEAM_A);
      expect(first.created).toBe(true);
      expect(first.artifact).toMatchObject({
        entityRef: SVC_A,
        ownerRef: TEAM_A,
        version: '1.0.0',
        commitSha: 'abcdef1234567',
        deploy: {
          image:
            'registry.example/deployers/svc-a@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        },
      });
      expect(first.artifact.id).toMatch(/^[0-9a-f-]{36}$/);

      // identical content, keys in another order: a no-op
      const reordered = Object.fromEntries(
        Object.entries(request).reverse(),
      ) as unknown as RegisterArtifactRequest;
      const replay = await store.registerArtifact(reordered, TEAM_A);
      expect(replay.created).toBe(false);
      expect(replay.artifact).toEqual(first.artifact);

      await expect(
        store.registerArtifact(
          { ...request, image: 'registry.example/other' },
          TEAM_A,
        ),
      ).rejects.toThrow(ConflictError);
      await expect(
        store.registerArtifact({ ...request, commitSha: '1234567abcdef' }),
      ).rejects.toThrow(/already registered with different content/);

      // the same version of another service is a different artifact
      const other = await store.registerArtifact(
        artifactRequest(SVC_B, '1.0.0'),
      );
      expect(other.created).toBe(true);
      expect(other.artifact.id).not.toBe(first.artifact.id);

      expect(await store.getArtifact(first.artifact.id)).toEqual(
        first.artifact,
      );
      expect(
        await store.getArtifact('00000000-0000-4000-8000-000000000000'),
      ).toBeUndefined();
      const all = await store.listArtifacts({ limit: 10 });
      expect(all.items.map(a => a.id)).toEqual([
        other.artifact.id,
        first.artifact.id,
      ]);
    });

    it('registers concurrently without duplicates', async () => {
      const request = artifactRequest(SVC_A, '2.0.0');
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.registerArtifact(request)),
      );
      expect(results.filter(r => r.created)).toHaveLength(1);
      expect(new Set(results.map(r => r.artifact.id)).size).toBe(1);
      expect((await store.listArtifacts({ limit: 10 })).items).toHaveLength(1);
    });

    it('pages artifacts newest first, by service and permission filter', async () => {
      const registered: Artifact[] = [];
      for (let i = 0; i < 7; i++) {
        const entityRef = i % 3 === 2 ? SVC_B : SVC_A;
        const { artifact } = await store.registerArtifact(
          artifactRequest(entityRef, `1.${i}.0`),
          entityRef === SVC_A ? TEAM_A : undefined,
        );
        registered.push(artifact);
      }
      const newestFirst = [...registered].reverse();

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listArtifacts({ limit: 3, cursor });
        seen.push(...page.items.map(a => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(newestFirst.map(a => a.id));

      const first = await store.listArtifacts({ entityRef: SVC_A, limit: 2 });
      const second = await store.listArtifacts({
        entityRef: SVC_A,
        limit: 2,
        cursor: first.nextCursor,
      });
      const svcA = newestFirst
        .filter(a => a.entityRef === SVC_A)
        .map(a => a.id);
      expect(first.items.map(a => a.id)).toEqual(svcA.slice(0, 2));
      expect(second.items.map(a => a.id)).toEqual(svcA.slice(2, 4));

      // the last page has no cursor
      const exact = await store.listArtifacts({ entityRef: SVC_B, limit: 2 });
      expect(exact.items).toHaveLength(2);
      expect(exact.nextCursor).toBeUndefined();

      const owned = await store.listArtifacts({
        limit: 50,
        filter: { column: 'owner_ref', values: [TEAM_A] },
      });
      expect(owned.items.map(a => a.id)).toEqual(svcA);
      const notOwned = await store.listArtifacts({
        limit: 50,
        filter: { not: { column: 'owner_ref', values: [TEAM_A] } },
      });
      expect(notOwned.items.map(a => a.id)).toEqual(
        newestFirst.filter(a => a.entityRef === SVC_B).map(a => a.id),
      );

      // artifacts are in no environment: an environment condition never matches them
      const envFilter: SledTargetFilter = {
        column: 'environment',
        values: ['staging'],
      };
      expect(
        (await store.listArtifacts({ limit: 50, filter: envFilter })).items,
      ).toEqual([]);
      expect(
        (await store.listArtifacts({ limit: 50, filter: { not: envFilter } }))
          .items,
      ).toHaveLength(7);
      expect(
        (
          await store.listArtifacts({
            limit: 50,
            filter: {
              anyOf: [envFilter, { column: 'owner_ref', values: [TEAM_A] }],
            },
          })
        ).items.map(a => a.id),
      ).toEqual(svcA);

      await expect(
        store.listArtifacts({ limit: 2, cursor: 'not-a-cursor' }),
      ).rejects.toThrow(InputError);
      await expect(
        store.listArtifacts({
          limit: 2,
          cursor: Buffer.from('-3').toString('base64url'),
        }),
      ).rejects.toThrow(/Invalid cursor/);
    });

    // --------------------------------------------------------------- deploys

    it('pages deploys newest first across cursors, with filters', async () => {
      const { artifact: a } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
        TEAM_A,
      );
      const { artifact: b } = await store.registerArtifact(
        artifactRequest(SVC_B, '1.0.0'),
        TEAM_B,
      );
      const created: Deploy[] = [];
      for (let i = 0; i < 13; i++) {
        const artifact = i % 2 ? b : a;
        const environment = i % 3 === 0 ? 'production' : 'staging';
        const { deploy } = await store.createDeploy(
          newDeploy(artifact, { environment }),
        );
        if (i % 4 === 1)
          await store.finishDeploy(deploy.id, {
            status: 'failed',
            message: 'boom',
            exitCode: 3,
          });
        if (i % 4 === 2)
          await store.finishDeploy(deploy.id, {
            status: 'succeeded',
            exitCode: 0,
          });
        created.push((await store.getDeploy(deploy.id))!);
      }
      const newestFirst = [...created].reverse();
      const expectIds = (pred: (d: Deploy) => boolean) =>
        newestFirst.filter(pred).map(d => d.id);

      expect(await listAll(store, { limit: 4 })).toEqual(expectIds(() => true));
      expect(await listAll(store, { limit: 1 })).toEqual(expectIds(() => true));
      expect(await listAll(store, { limit: 3, entityRef: SVC_A })).toEqual(
        expectIds(d => d.entityRef === SVC_A),
      );
      expect(
        await listAll(store, { limit: 2, environment: 'production' }),
      ).toEqual(expectIds(d => d.environment === 'production'));
      expect(await listAll(store, { limit: 2, status: ['failed'] })).toEqual(
        expectIds(d => d.status === 'failed'),
      );
      expect(
        await listAll(store, { limit: 2, status: ['failed', 'queued'] }),
      ).toEqual(expectIds(d => d.status === 'failed' || d.status === 'queued'));
      expect(
        await listAll(store, {
          limit: 2,
          entityRef: SVC_B,
          environment: 'staging',
          status: ['succeeded', 'failed'],
        }),
      ).toEqual(
        expectIds(
          d =>
            d.entityRef === SVC_B &&
            d.environment === 'staging' &&
            ['succeeded', 'failed'].includes(d.status),
        ),
      );
      expect(
        await listAll(store, {
          limit: 5,
          entityRef: 'component:default/nobody',
        }),
      ).toEqual([]);

      const failed = created.find(d => d.status === 'failed')!;
      expect(failed).toMatchObject({
        message: 'boom',
        exitCode: 3,
        dryRun: false,
        force: false,
        ownerRef: expect.any(String),
      });
      expect(failed.finishedAt).toBeDefined();
      expect(failed).not.toHaveProperty('launch');

      await expect(
        store.listDeploys({ limit: 2, cursor: '%%%' }),
      ).rejects.toThrow(InputError);
    });

    it('translates permission filters to SQL that selects exactly the permitted rows', async () => {
      const { artifact: a } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
        TEAM_A,
      );
      const { artifact: b } = await store.registerArtifact(
        artifactRequest(SVC_B, '1.0.0'),
        TEAM_B,
      );
      const { artifact: orphan } = await store.registerArtifact(
        artifactRequest('component:default/orphan', '1.0.0'),
      );
      const all: Deploy[] = [];
      for (const artifact of [a, b, orphan]) {
        for (const environment of ['staging', 'production', 'local']) {
          all.push(
            (await store.createDeploy(newDeploy(artifact, { environment })))
              .deploy,
          );
        }
      }
      expect(all.filter(d => d.ownerRef === undefined)).toHaveLength(3);
      const env = (...values: string[]): SledTargetQuery => ({
        column: 'environment',
        values,
      });
      const owner = (...values: string[]): SledTargetQuery => ({
        column: 'owner_ref',
        values,
      });
      const service = (...values: string[]): SledTargetQuery => ({
        column: 'entity_ref',
        values,
      });

      const filters: SledTargetFilter[] = [
        env('staging'),
        owner(TEAM_A, TEAM_B),
        env(),
        { not: env() },
        { allOf: [env('production'), owner(TEAM_A)] },
        { anyOf: [env('staging'), owner(TEAM_B)] },
        { not: env('production') },
        { not: owner(TEAM_A) },
        { not: { not: owner(TEAM_A) } },
        { allOf: [{ not: owner(TEAM_A) }, env('staging', 'local')] },
        { not: { allOf: [env('production'), owner(TEAM_A)] } },
        { not: { anyOf: [env('production'), owner(TEAM_B)] } },
        {
          anyOf: [
            { allOf: [env('production'), owner(TEAM_A)] },
            { allOf: [env('staging'), { not: service(SVC_A) }] },
          ],
        },
        {
          allOf: [
            service(SVC_A, SVC_B),
            { not: { anyOf: [owner(TEAM_B), env('local')] } },
          ],
        },
      ];
      for (const filter of filters) {
        const expected = [...all]
          .reverse()
          .filter(d => matches(d, filter))
          .map(d => d.id);
        const actual = await listAll(store, { limit: 2, filter });
        expect({ filter, ids: actual }).toEqual({ filter, ids: expected });
      }

      // filters combine with the query's own conditions
      expect(
        await listAll(store, {
          limit: 10,
          environment: 'staging',
          filter: { not: owner(TEAM_A) },
        }),
      ).toEqual(
        [...all]
          .reverse()
          .filter(d => d.environment === 'staging' && d.ownerRef !== TEAM_A)
          .map(d => d.id),
      );
    });

    it('claims the oldest queued deploy, at most one running per target', async () => {
      const { artifact: a } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
        TEAM_A,
      );
      const { artifact: b } = await store.registerArtifact(
        artifactRequest(SVC_B, '1.0.0'),
        TEAM_B,
      );
      const queued: Deploy[] = [];
      for (let i = 0; i < 4; i++) {
        queued.push((await store.createDeploy(newDeploy(a))).deploy);
      }
      const other = (await store.createDeploy(newDeploy(b))).deploy;
      const otherEnv = (
        await store.createDeploy(newDeploy(a, { environment: 'production' }))
      ).deploy;

      // a queued deploy cancelled before it started is never claimed
      expect(
        await store.finishDeploy(queued[0].id, { status: 'cancelled' }),
      ).toMatchObject({ id: queued[0].id, status: 'cancelled' });

      const first = (await store.claimNext(SVC_A, 'staging', RUNNER))?.deploy;
      expect(first).toMatchObject({ id: queued[1].id, status: 'running' });
      expect(first!.startedAt).toBeDefined();
      expect(await store.claimNext(SVC_A, 'staging', RUNNER)).toBeUndefined();

      // other targets are independent
      expect((await store.claimNext(SVC_B, 'staging', RUNNER))?.deploy.id).toBe(
        other.id,
      );
      expect(
        (await store.claimNext(SVC_A, 'production', RUNNER))?.deploy.id,
      ).toBe(otherEnv.id);

      // the database itself refuses a second running deploy on a target
      expect(
        await rejection(
          knex('sled_deploys')
            .where({ id: queued[2].id })
            .update({ status: 'running' }),
        ),
      ).toMatch(/unique|duplicate/i);
      expect((await store.getDeploy(queued[2].id))!.status).toBe('queued');

      // concurrent claimers: exactly one wins
      await store.finishDeploy(first!.id, { status: 'succeeded', exitCode: 0 });
      const claims = await Promise.all(
        Array.from({ length: 6 }, () =>
          store.claimNext(SVC_A, 'staging', RUNNER),
        ),
      );
      const winners = claims.filter(Boolean);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.deploy.id).toBe(queued[2].id);
      expect(await store.listRunning()).toHaveLength(3);
      // oldest first
      expect((await store.listRunning()).map(d => d.id)).toEqual([
        queued[2].id,
        other.id,
        otherEnv.id,
      ]);

      await store.finishDeploy(queued[2].id, { status: 'failed' });
      expect((await store.claimNext(SVC_A, 'staging', RUNNER))?.deploy.id).toBe(
        queued[3].id,
      );
      await store.finishDeploy(queued[3].id, { status: 'succeeded' });
      expect(await store.claimNext(SVC_A, 'staging', RUNNER)).toBeUndefined();
    });

    it('hands running deploys over only from backends that are gone', async () => {
      const { artifact: a } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { artifact: b } = await store.registerArtifact(
        artifactRequest(SVC_B, '1.0.0'),
      );
      await store.heartbeat('runner-a');
      await store.heartbeat('runner-b');
      await store.createDeploy(newDeploy(a));
      await store.createDeploy(newDeploy(b));
      const onA = (await store.claimNext(SVC_A, 'staging', 'runner-a'))!.deploy;
      const onB = (await store.claimNext(SVC_B, 'staging', 'runner-b'))!.deploy;
      const periodic = { timeoutMs: 30_000, unowned: false };
      // each backend can list the running deploys it runs
      expect(
        (await store.listRunning({ runner: 'runner-b' })).map(x => x.id),
      ).toEqual([onB.id]);
      expect((await store.listRunning()).map(x => x.id).sort()).toEqual(
        [onA.id, onB.id].sort(),
      );

      // both alive: a third backend starting now takes over nothing
      await store.heartbeat('runner-c');
      expect(await store.takeOverRunning('runner-c', periodic)).toEqual([]);

      // b stopped: its deploy goes to one of two backends asking at once
      await store.removeRunner('runner-b');
      await store.heartbeat('runner-d');
      const [c, d] = await Promise.all([
        store.takeOverRunning('runner-c', periodic),
        store.takeOverRunning('runner-d', periodic),
      ]);
      expect([...c, ...d].map(x => x.id)).toEqual([onB.id]);
      expect(await store.takeOverRunning('runner-c', periodic)).toEqual([]);

      // a heartbeat after a silence brings a backend back: it keeps its deploy
      const silenceA = () =>
        knex('sled_runners')
          .where({ id: 'runner-a' })
          .update({
            heartbeat_at: new Date(Date.now() - 60_000).toISOString(),
          });
      await silenceA();
      await store.heartbeat('runner-a');
      expect(await store.takeOverRunning('runner-c', periodic)).toEqual([]);
      // a fell silent: after the timeout its deploy is taken over too
      await silenceA();
      expect(
        (await store.takeOverRunning('runner-c', periodic)).map(x => x.id),
      ).toEqual([onA.id]);
      expect(await store.takeOverRunning('runner-d', periodic)).toEqual([]);

      // a backend never takes its own deploys, even when its heartbeat is late
      await knex('sled_runners')
        .where({ id: 'runner-c' })
        .update({ heartbeat_at: new Date(Date.now() - 60_000).toISOString() });
      expect(await store.takeOverRunning('runner-c', periodic)).toEqual([]);
      await store.heartbeat('runner-c');

      // a deploy without a runner (claimed before runners were recorded) is
      // taken over at start-up only, not by the periodic pass
      await knex('sled_deploys').where({ id: onA.id }).update({ runner: null });
      expect(await store.takeOverRunning('runner-d', periodic)).toEqual([]);
      expect(
        (
          await store.takeOverRunning('runner-d', {
            ...periodic,
            unowned: true,
          })
        ).map(x => x.id),
      ).toEqual([onA.id]);

      // a backend silent for ten timeouts (a crashed process) is forgotten
      await knex('sled_runners')
        .where({ id: 'runner-a' })
        .update({ heartbeat_at: new Date(Date.now() - 600_001).toISOString() });
      await store.takeOverRunning('runner-d', periodic);
      expect(
        (await knex('sled_runners').select('id').orderBy('id')).map(r => r.id),
      ).toEqual(['runner-c', 'runner-d']);
    });

    it('records a handle only from the backend that runs the deploy, never from one it was taken from', async () => {
      const { artifact } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { deploy } = await store.createDeploy(newDeploy(artifact));
      await store.claimNext(SVC_A, 'staging', RUNNER);
      // another backend took the deploy over and recorded its own handle
      await knex('sled_deploys')
        .where({ id: deploy.id })
        .update({ runner: 'runner-b' });
      expect(
        await store.setExecution(
          deploy.id,
          { executor: 'local', handle: 'pid:7' },
          'runner-b',
        ),
      ).toBe(true);
      // the backend it was taken from learns it does not run it, and writes nothing
      expect(
        await store.setExecution(
          deploy.id,
          { executor: 'local', handle: 'pid:42' },
          RUNNER,
        ),
      ).toBe(false);
      expect((await store.getDeploy(deploy.id))!.execution).toEqual({
        executor: 'local',
        handle: 'pid:7',
      });
    });

    it('finishes a deploy only once and never a skipped one', async () => {
      const { artifact } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { deploy } = await store.createDeploy(newDeploy(artifact));
      const claimed = await store.claimNext(SVC_A, 'staging', RUNNER);
      // the claim hands over how to launch it
      expect(claimed?.launch).toEqual({ command: ['./deploy.sh'] });
      // true: it still runs
      expect(
        await store.setExecution(
          deploy.id,
          { executor: 'local', handle: 'pid:42' },
          RUNNER,
        ),
      ).toBe(true);
      expect(await store.getLaunch(deploy.id)).toEqual({
        command: ['./deploy.sh'],
      });

      const results = await Promise.all([
        store.finishDeploy(deploy.id, { status: 'succeeded', exitCode: 0 }),
        store.finishDeploy(deploy.id, { status: 'cancelled', message: 'late' }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const ended = (await store.getDeploy(deploy.id))!;
      // the one that won returns the deploy as stored
      expect(results.find(Boolean)).toEqual(ended);
      expect(
        await store.finishDeploy(deploy.id, {
          status: 'failed',
          message: 'again',
        }),
      ).toBeUndefined();
      expect(await store.getDeploy(deploy.id)).toEqual(ended);
      expect(ended.execution).toEqual({ executor: 'local', handle: 'pid:42' });
      // recorded all the same once it ended, saying so
      expect(
        await store.setExecution(
          deploy.id,
          { executor: 'local', handle: 'pid:43' },
          RUNNER,
        ),
      ).toBe(false);
      expect((await store.getDeploy(deploy.id))!.execution?.handle).toBe(
        'pid:43',
      );
      expect(['succeeded', 'cancelled']).toContain(ended.status);

      const { deploy: skipped } = await store.createDeploy(
        newDeploy(artifact, { status: 'skipped', message: 'already there' }),
      );
      expect(skipped).toMatchObject({
        status: 'skipped',
        message: 'already there',
      });
      expect(skipped.finishedAt).toBeDefined();
      expect(
        await store.finishDeploy(skipped.id, { status: 'failed' }),
      ).toBeUndefined();
      expect(await store.claimNext(SVC_A, 'staging', RUNNER)).toBeUndefined();
      expect(
        await store.getDeploy('00000000-0000-4000-8000-000000000000'),
      ).toBeUndefined();
    });

    it('records an idempotency key once, even when requests race', async () => {
      const { artifact } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const record = {
        principal: 'user:default/mock',
        key: 'k-1',
        requestHash: 'h1',
      };
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.createDeploy(newDeploy(artifact), record),
        ),
      );
      expect(results.filter(r => !r.replayed)).toHaveLength(1);
      expect(new Set(results.map(r => r.deploy.id)).size).toBe(1);
      const { items } = await store.listDeploys({ limit: 50 });
      expect(items.map(d => d.id)).toEqual([results[0].deploy.id]);

      expect(await store.findIdempotent('user:default/mock', 'k-1')).toEqual({
        requestHash: 'h1',
        deployId: results[0].deploy.id,
      });
      expect(
        await store.findIdempotent('user:default/other', 'k-1'),
      ).toBeUndefined();

      await expect(
        store.createDeploy(newDeploy(artifact), {
          ...record,
          requestHash: 'h2',
        }),
      ).rejects.toThrow(ConflictError);
      // the same key of another principal is another request
      const other = await store.createDeploy(newDeploy(artifact), {
        ...record,
        principal: 'user:default/other',
      });
      expect(other.replayed).toBe(false);
      expect(other.deploy.id).not.toBe(results[0].deploy.id);
      expect((await store.listDeploys({ limit: 50 })).items).toHaveLength(2);
    });

    it('lists locks in force, honouring expiry and scope', async () => {
      const past = new Date(Date.now() - 60_000).toISOString();
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const envWide = await store.createLock({
        environment: 'production',
        reason: 'freeze',
        createdBy: 'user:default/lead',
      });
      const expired = await store.createLock({
        environment: 'production',
        reason: 'old',
        createdBy: 'u',
        expiresAt: past,
      });
      const svcLock = await store.createLock({
        environment: 'staging',
        entityRef: SVC_A,
        reason: 'migrating',
        createdBy: 'u',
        expiresAt: future,
      });
      expect(svcLock).toMatchObject({
        environment: 'staging',
        entityRef: SVC_A,
        reason: 'migrating',
        expiresAt: future,
      });
      expect(envWide.entityRef).toBeUndefined();
      expect(envWide.expiresAt).toBeUndefined();

      const ids = (locks: { id: string }[]) => locks.map(l => l.id).sort();
      expect(ids(await store.listLocks({}))).toEqual(ids([envWide, svcLock]));
      expect(ids(await store.listLocks({ environment: 'production' }))).toEqual(
        [envWide.id],
      );
      expect(
        ids(
          await store.listLocks({
            environment: 'production',
            entityRef: SVC_B,
          }),
        ),
      ).toEqual([envWide.id]);
      expect(
        ids(
          await store.listLocks({ environment: 'staging', entityRef: SVC_A }),
        ),
      ).toEqual([svcLock.id]);
      expect(
        await store.listLocks({ environment: 'staging', entityRef: SVC_B }),
      ).toEqual([]);
      expect(await store.listLocks({ environment: 'local' })).toEqual([]);

      expect(await store.getLock(expired.id)).toMatchObject({
        id: expired.id,
        expiresAt: past,
      });
      expect(await store.getLock(svcLock.id)).toEqual(svcLock);
      expect(await store.deleteLock(svcLock.id)).toBe(true);
      expect(await store.deleteLock(svcLock.id)).toBe(false);
      expect(await store.getLock(svcLock.id)).toBeUndefined();
      expect(
        await store.listLocks({ environment: 'staging', entityRef: SVC_A }),
      ).toEqual([]);
    });

    it('applies a deploy-group lock to the group, not to other services or environments', async () => {
      const GROUP = 'deploygroup:default/team-a';
      const groupLock = await store.createLock({
        environment: 'staging',
        deployGroup: GROUP,
        reason: 'freeze',
        createdBy: 'u',
      });
      const envWide = await store.createLock({
        environment: 'staging',
        reason: 'all',
        createdBy: 'u',
      });
      const svcLock = await store.createLock({
        environment: 'staging',
        entityRef: SVC_B,
        reason: 'b',
        createdBy: 'u',
      });
      expect(groupLock).toMatchObject({
        environment: 'staging',
        deployGroup: GROUP,
        reason: 'freeze',
      });
      expect(groupLock.entityRef).toBeUndefined();
      expect(envWide.deployGroup).toBeUndefined();

      const ids = (locks: { id: string }[]) => locks.map(l => l.id).sort();
      // a member of the group: its group's lock and the environment's
      expect(
        ids(
          await store.listLocks({
            environment: 'staging',
            entityRef: SVC_A,
            deployGroup: GROUP,
          }),
        ),
      ).toEqual(ids([groupLock, envWide]));
      // the same service without a group: only the environment's
      expect(
        ids(
          await store.listLocks({ environment: 'staging', entityRef: SVC_A }),
        ),
      ).toEqual([envWide.id]);
      // another group's member
      expect(
        ids(
          await store.listLocks({
            environment: 'staging',
            entityRef: SVC_B,
            deployGroup: 'deploygroup:default/other',
          }),
        ),
      ).toEqual(ids([envWide, svcLock]));
      expect(ids(await store.listLocks({ deployGroup: GROUP }))).toEqual(
        ids([groupLock, envWide]),
      );
      expect(
        await store.listLocks({
          environment: 'production',
          entityRef: SVC_A,
          deployGroup: GROUP,
        }),
      ).toEqual([]);
      expect(await store.getLock(groupLock.id)).toEqual(groupLock);
    });

    it('stores log chunks and reads them in order', async () => {
      const { artifact } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { deploy } = await store.createDeploy(newDeploy(artifact));
      const { deploy: other } = await store.createDeploy(newDeploy(artifact));
      await store.appendLog(deploy.id, 2, 'c');
      await store.appendLog(deploy.id, 0, 'a');
      await store.appendLog(other.id, 0, 'x');
      await store.appendLog(deploy.id, 1, 'b');
      await store.appendLog(deploy.id, 10, 'd');
      expect(await store.readLog(deploy.id)).toEqual([
        { chunk: 0, text: 'a' },
        { chunk: 1, text: 'b' },
        { chunk: 2, text: 'c' },
        { chunk: 10, text: 'd' },
      ]);
      expect(await store.readLog(deploy.id, 1)).toEqual([
        { chunk: 2, text: 'c' },
        { chunk: 10, text: 'd' },
      ]);
      expect(await store.readLog(other.id)).toEqual([{ chunk: 0, text: 'x' }]);
      expect(
        await store.readLog('00000000-0000-4000-8000-000000000000'),
      ).toEqual([]);
      expect(await rejection(store.appendLog(deploy.id, 1, 'dup'))).toMatch(
        /unique|duplicate/i,
      );
    });

    it("writes a runner's chunks and outcome only while it runs the deploy", async () => {
      const { artifact } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { deploy } = await store.createDeploy(newDeploy(artifact));
      // queued, no runner yet: no backend's output belongs to it
      expect(await store.appendLog(deploy.id, 0, 'early', RUNNER)).toBe(false);
      await store.claimNext(SVC_A, 'staging', RUNNER);
      expect(await store.appendLog(deploy.id, 0, 'a', RUNNER)).toBe(true);
      expect(await store.appendLog(deploy.id, 1, 'b', 'runner-b')).toBe(false);

      // runner-a falls silent and runner-b takes the deploy over
      await store.heartbeat('runner-b');
      await knex('sled_runners').where({ id: RUNNER }).delete();
      expect(
        (
          await store.takeOverRunning('runner-b', {
            timeoutMs: 30_000,
            unowned: false,
          })
        ).map(d => d.id),
      ).toEqual([deploy.id]);
      expect(await store.appendLog(deploy.id, 1, 'late', RUNNER)).toBe(false);
      expect(await store.appendLog(deploy.id, 1, 'b', 'runner-b')).toBe(true);
      // nor does runner-a record its outcome; runner-b does
      expect(
        await store.finishDeploy(deploy.id, { status: 'failed' }, RUNNER),
      ).toBeUndefined();
      expect((await store.getDeploy(deploy.id))!.status).toBe('running');
      expect(
        (
          await store.finishDeploy(
            deploy.id,
            { status: 'succeeded', exitCode: 0 },
            'runner-b',
          )
        )?.status,
      ).toBe('succeeded');
      expect(await store.readLog(deploy.id)).toEqual([
        { chunk: 0, text: 'a' },
        { chunk: 1, text: 'b' },
      ]);
      // a runner's chunk still has its unique number
      expect(
        await rejection(store.appendLog(deploy.id, 1, 'dup', 'runner-b')),
      ).toMatch(/unique|duplicate/i);
    });

    it('finds the latest deploy by status, dry run and artifact', async () => {
      const { artifact: v1 } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { artifact: v2 } = await store.registerArtifact(
        artifactRequest(SVC_A, '2.0.0'),
      );
      const run = async (
        artifact: Artifact,
        status: 'succeeded' | 'failed',
        dryRun = false,
        environment = 'staging',
      ) => {
        const { deploy } = await store.createDeploy(
          newDeploy(artifact, { dryRun, environment }),
        );
        await store.finishDeploy(deploy.id, { status });
        return deploy.id;
      };
      const okV1 = await run(v1, 'succeeded');
      const okV2 = await run(v2, 'succeeded');
      const failedV1 = await run(v1, 'failed');
      const dryV1 = await run(v1, 'succeeded', true);
      await run(v1, 'succeeded', false, 'production');
      const { deploy: queued } = await store.createDeploy(newDeploy(v2));

      expect((await store.findLatest(SVC_A, 'staging', {}))?.id).toBe(
        queued.id,
      );
      expect(
        (await store.findLatest(SVC_A, 'staging', { includeDryRun: true }))?.id,
      ).toBe(queued.id);
      expect(
        (await store.findLatest(SVC_A, 'staging', { statuses: ['succeeded'] }))
          ?.id,
      ).toBe(okV2);
      expect(
        (
          await store.findLatest(SVC_A, 'staging', {
            statuses: ['succeeded'],
            includeDryRun: true,
          })
        )?.id,
      ).toBe(dryV1);
      expect(
        (
          await store.findLatest(SVC_A, 'staging', {
            statuses: ['succeeded'],
            excludeArtifactId: v2.id,
          })
        )?.id,
      ).toBe(okV1);
      expect(
        (
          await store.findLatest(SVC_A, 'staging', {
            statuses: ['failed', 'cancelled'],
          })
        )?.id,
      ).toBe(failedV1);
      expect(await store.findLatest(SVC_A, 'local', {})).toBeUndefined();
      expect(
        await store.findLatest(SVC_B, 'staging', { statuses: ['succeeded'] }),
      ).toBeUndefined();

      expect(await store.countActive(SVC_A, 'staging')).toBe(1);
      await store.claimNext(SVC_A, 'staging', RUNNER);
      expect(await store.countActive(SVC_A, 'staging')).toBe(1);
      await store.finishDeploy(queued.id, { status: 'succeeded' });
      expect(await store.countActive(SVC_A, 'staging')).toBe(0);
    });

    it('lists targets with queued deploys and nothing running', async () => {
      const { artifact: a } = await store.registerArtifact(
        artifactRequest(SVC_A, '1.0.0'),
      );
      const { artifact: b } = await store.registerArtifact(
        artifactRequest(SVC_B, '1.0.0'),
      );
      expect(await store.listStalledTargets()).toEqual([]);

      // A/staging: two queued, nothing running -> stalled (listed once)
      await store.createDeploy(newDeploy(a));
      await store.createDeploy(newDeploy(a));
      // A/production: one running, one queued -> not stalled
      await store.createDeploy(newDeploy(a, { environment: 'production' }));
      await store.createDeploy(newDeploy(a, { environment: 'production' }));
      await store.claimNext(SVC_A, 'production', RUNNER);
      // B/staging: only finished deploys -> not stalled
      const { deploy: done } = await store.createDeploy(newDeploy(b));
      await store.finishDeploy(done.id, { status: 'succeeded' });
      // B/local: queued -> stalled
      await store.createDeploy(newDeploy(b, { environment: 'local' }));

      const sort = (targets: { entityRef: string; environment: string }[]) =>
        [...targets].sort((x, y) =>
          `${x.entityRef}/${x.environment}`.localeCompare(
            `${y.entityRef}/${y.environment}`,
          ),
        );
      expect(sort(await store.listStalledTargets())).toEqual([
        { entityRef: SVC_A, environment: 'staging' },
        { entityRef: SVC_B, environment: 'local' },
      ]);
    });
  });

  it('skips migrations when asked to', async () => {
    const knex = await databases.init('SQLITE_3');
    await DatabaseDeployStore.create({
      database: mockServices.database({ knex, migrations: { skip: true } }),
    });
    expect(await knex.schema.hasTable('sled_deploys')).toBe(false);
    await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    expect(await knex.schema.hasTable('sled_deploys')).toBe(true);
  });
});
