import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Artifact,
  Lock,
  Release,
  sledReadPermission,
} from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import request from 'supertest';
import { DatabaseDeployStore } from '../database/DatabaseDeployStore';
import sledPlugin from '../index';
import {
  createSledTargetConditionalDecision,
  sledTargetConditions,
} from '../permissions/rules';
import {
  eventually,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  allowAllButLockOverride,
  CI,
  Decide,
  serviceEntity,
  startSledBackend,
  switchablePermissions,
  USER,
  waitForEnd,
  waitForStatus,
} from '../__testUtils__/sledBackend';

jest.setTimeout(60_000);

/*
 * The findings of trying the API as an attacker and as a careless CI system
 * would (D1–D9 of the security issue). Each test fails on the code before
 * the fix.
 */

const MINE = 'component:default/mine';
const THEIRS = 'component:default/theirs';
const SLOW = 'component:default/slowpoke';
const BROKEN = 'component:default/broken';
const TEAM_A = 'group:default/team-a';
const MIXED = 'deploygroup:default/mixed';
const OTHERS = 'deploygroup:default/others';
const SOLO = 'deploygroup:default/solo';

const group = (name: string, owner: string, members: string[]): Entity => ({
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name, namespace: 'default' },
  spec: { owner, members },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});

/** sled.read only for services team-a owns; everything else allowed */
const readOwnTeamOnly: Decide = permission =>
  permission.name === sledReadPermission.name
    ? createSledTargetConditionalDecision(
        sledReadPermission,
        sledTargetConditions.isServiceOwner({ claims: [TEAM_A] }),
      )
    : allowAllButLockOverride(permission);

describe('security findings', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let knex: Knex;
  let backend: TestBackend;
  let dir: string;
  let cleanup: () => void;
  let decide: Decide = allowAllButLockOverride;

  const api = () => request(backend.server);
  const get = (p: string) =>
    api().get(`/api/sled${p}`).set('Authorization', USER);
  const post = (p: string, body?: object, auth = USER) =>
    api().post(`/api/sled${p}`).set('Authorization', auth).send(body);

  /** Row counts of every sled table: a refusal changes none. */
  async function counts(): Promise<Record<string, number>> {
    const tables = ['artifacts', 'deploys', 'deploy_logs', 'locks'].concat(
      'idempotency',
      'releases',
      'release_members',
    );
    const out: Record<string, number> = {};
    for (const t of tables) {
      out[t] = Number((await knex(`sled_${t}`).count({ n: '*' }))[0].n);
    }
    return out;
  }

  async function expectRefused(
    send: () => Promise<request.Response>,
    status: number,
    pattern: RegExp,
  ) {
    const before = await counts();
    const res = await send();
    expect({ status: res.status, message: res.body?.error?.message }).toEqual({
      status,
      message: expect.stringMatching(pattern),
    });
    expect(await counts()).toEqual(before);
    return res;
  }

  async function register(
    entityRef: string,
    version: string,
  ): Promise<Artifact> {
    const res = await post(
      '/artifacts',
      { entityRef, version, commitSha: 'abcdef1234567' },
      CI,
    );
    expect(res.status).toBe(201);
    return res.body;
  }

  beforeAll(async () => {
    ({ dir, cleanup } = makeTempDir('sled-security-'));
    writeScript(
      dir,
      'deploy.sh',
      'echo "catalog script ran for $SLED_SERVICE"',
    );
    writeScript(dir, 'slow.sh', 'echo started\nsleep 30 &\nwait');
    knex = await databases.init('SQLITE_3');
    backend = await startSledBackend({
      knex,
      entities: [
        serviceEntity('mine', dir, { deployGroup: MIXED }),
        serviceEntity('theirs', dir, { owner: 'team-b', deployGroup: MIXED }),
        serviceEntity('slowpoke', dir, { command: './slow.sh' }),
        serviceEntity('broken', dir, { command: '[oops' }),
        group('mixed', 'team-a', [MINE, THEIRS]),
        group('others', 'team-b', [THEIRS]),
        group('solo', 'team-a', [SLOW]),
      ],
      permissions: switchablePermissions(() => decide),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    cleanup?.();
  });

  afterEach(() => {
    decide = allowAllButLockOverride;
  });

  describe('D1: the CI token cannot decide what runs', () => {
    it('refuses an artifact naming a command or an unpinned image, writing nothing', async () => {
      const base = { entityRef: MINE, commitSha: 'abcdef1234567' };
      await expectRefused(
        () =>
          post(
            '/artifacts',
            {
              ...base,
              version: '6.6.6',
              deploy: { command: ['/bin/sh', '-c', 'id; pwd'] },
            },
            CI,
          ),
        400,
        /deploy\.command: an artifact cannot choose what runs/,
      );
      await expectRefused(
        () =>
          post(
            '/artifacts',
            {
              ...base,
              version: '6.6.7',
              deploy: { image: 'evil.example/root-shell:latest' },
            },
            CI,
          ),
        400,
        /deploy\.image: .*must be pinned by digest/,
      );
      // pinned, but no image is allowed by the (empty) allow-list
      await expectRefused(
        () =>
          post(
            '/artifacts',
            {
              ...base,
              version: '6.6.8',
              deploy: { image: `evil.example/x@sha256:${'a'.repeat(64)}` },
            },
            CI,
          ),
        400,
        /deploy\.image: .*sled\.kubernetes\.allowedImages is empty/,
      );
    });

    it('runs the catalog’s command even for an artifact stored with one of its own', async () => {
      // as registered before the trust boundary: the command is in the row
      const store = await DatabaseDeployStore.create({
        database: mockServices.database({ knex }),
      });
      const { artifact } = await store.registerArtifact(
        {
          entityRef: MINE,
          version: '6.6.9',
          commitSha: 'abcdef1234567',
          deploy: { command: ['/bin/sh', '-c', 'echo uid=$(id -u)'] } as any,
        },
        TEAM_A,
      );
      const res = await post('/deploys', {
        entityRef: MINE,
        environment: 'local',
        artifactId: artifact.id,
      });
      expect(res.status).toBe(202);
      expect((await waitForEnd(backend, res.body.id)).status).toBe('succeeded');
      const log = (await get(`/deploys/${res.body.id}/logs`)).text;
      expect(log).toContain(`catalog script ran for ${MINE}`);
      expect(log).not.toContain('uid=');
      // and the command is not shown as part of the artifact either
      expect((await get(`/artifacts/${artifact.id}`)).body.deploy).toBe(
        undefined,
      );
    });
  });

  describe('D2: read decisions apply to every list', () => {
    let ownLock: Lock;
    let theirLock: Lock;
    let envLock: Lock;
    let ownGroupLock: Lock;
    let theirGroupLock: Lock;
    let mixedRelease: Release;
    let theirRelease: Release;

    beforeAll(async () => {
      await register(MINE, '7.0.0');
      await register(THEIRS, '7.0.0');
      const lock = async (body: object) => {
        const res = await post('/locks', {
          environment: 'production',
          reason: 'r',
          ...body,
        });
        expect(res.status).toBe(201);
        return res.body as Lock;
      };
      ownLock = await lock({ entityRef: MINE, reason: 'ours' });
      theirLock = await lock({ entityRef: THEIRS, reason: 'secret plan' });
      envLock = await lock({ reason: 'freeze' });
      ownGroupLock = await lock({ deployGroup: MIXED, environment: 'local' });
      theirGroupLock = await lock({
        deployGroup: OTHERS,
        environment: 'local',
      });
      // releases to production, where everything is locked: lock override
      decide = () => ({ result: AuthorizeResult.ALLOW });
      const release = async (deployGroup: string) => {
        const res = await post('/releases', {
          deployGroup,
          environment: 'production',
          reason: 'r',
          dryRun: true,
        });
        expect(res.status).toBe(202);
        return res.body as Release;
      };
      mixedRelease = await release(MIXED);
      theirRelease = await release(OTHERS);
      decide = allowAllButLockOverride;
    });

    it('GET /locks shows only locks on what the caller may read', async () => {
      decide = readOwnTeamOnly;
      const ids = (await get('/locks')).body.map((l: Lock) => l.id);
      expect(ids).toEqual(
        expect.arrayContaining([ownLock.id, ownGroupLock.id]),
      );
      expect(ids).not.toContain(theirLock.id);
      expect(ids).not.toContain(theirGroupLock.id);
      expect(ids).not.toContain(envLock.id);
      // the locks that apply to a readable service, environment-wide ones too
      const mine = (
        await get(`/locks?entityRef=${MINE}&deployGroup=${MIXED}`)
      ).body.map((l: Lock) => l.id);
      expect(mine).toEqual(
        expect.arrayContaining([ownLock.id, envLock.id, ownGroupLock.id]),
      );
      expect(mine).not.toContain(theirLock.id);
      // and nothing of a service the caller may not read
      expect((await get(`/locks?entityRef=${THEIRS}`)).status).toBe(403);
      // nor another group's locks named beside a readable service
      const named = (
        await get(`/locks?entityRef=${MINE}&deployGroup=${OTHERS}`)
      ).body.map((l: Lock) => l.id);
      expect(named).not.toContain(theirGroupLock.id);
    });

    it('a release just created shows only the members the caller may read', async () => {
      decide = permission =>
        permission.name === sledReadPermission.name
          ? readOwnTeamOnly(permission)
          : { result: AuthorizeResult.ALLOW };
      const res = await post('/releases', {
        deployGroup: MIXED,
        environment: 'production',
        reason: 'r',
        dryRun: true,
      });
      expect(res.status).toBe(202);
      expect(res.body.members.map((m: any) => m.entityRef)).toEqual([MINE]);
    });

    it('GET /environments shows only readable environment locks', async () => {
      decide = readOwnTeamOnly;
      const production = (await get('/environments')).body.find(
        (e: any) => e.name === 'production',
      );
      expect(production.locks).toEqual([]);
      decide = permission =>
        permission.name === sledReadPermission.name
          ? createSledTargetConditionalDecision(
              sledReadPermission,
              sledTargetConditions.isEnvironment({
                environments: ['production'],
              }),
            )
          : allowAllButLockOverride(permission);
      const again = (await get('/environments')).body.find(
        (e: any) => e.name === 'production',
      );
      expect(again.locks.map((l: Lock) => l.id)).toEqual([envLock.id]);
    });

    it('GET /releases and /releases/:id show only readable members, and unreadable releases not at all', async () => {
      decide = readOwnTeamOnly;
      const listed = (await get('/releases')).body.items as Release[];
      expect(listed.map(r => r.id)).toContain(mixedRelease.id);
      expect(listed.map(r => r.id)).not.toContain(theirRelease.id);
      const mixed = listed.find(r => r.id === mixedRelease.id)!;
      expect(mixed.members.map(m => m.entityRef)).toEqual([MINE]);
      const one = await get(`/releases/${mixedRelease.id}`);
      expect(one.body.members.map((m: any) => m.entityRef)).toEqual([MINE]);
      // as missing as an id that names nothing
      const hidden = await get(`/releases/${theirRelease.id}`);
      expect(hidden.status).toBe(404);
      expect(hidden.body.error.message).toBe(`No release '${theirRelease.id}'`);
      expect((await post(`/releases/${theirRelease.id}/cancel`)).status).toBe(
        404,
      );
    });
  });

  it('D3: cancelling a release checks sled.deploy.cancel on its members', async () => {
    const artifact = await register(SLOW, '1.0.0');
    expect(artifact.entityRef).toBe(SLOW);
    const started = await post('/releases', {
      deployGroup: SOLO,
      environment: 'local',
    });
    expect(started.status).toBe(202);
    const deployId = await eventually(async () => {
      const r = (await get(`/releases/${started.body.id}`)).body as Release;
      expect(r.members[0].deployId).toBeDefined();
      return r.members[0].deployId!;
    });
    await waitForStatus(backend, deployId, 'running');

    decide = permission =>
      permission.name === 'sled.deploy.cancel'
        ? { result: AuthorizeResult.DENY }
        : allowAllButLockOverride(permission);
    await expectRefused(
      () => post(`/releases/${started.body.id}/cancel`),
      403,
      new RegExp(
        `sled\\.deploy\\.cancel for ${SLOW} in local, so you may not cancel release .*nothing was cancelled`,
      ),
    );
    expect((await get(`/deploys/${deployId}`)).body.status).toBe('running');
    expect((await get(`/releases/${started.body.id}`)).body.status).toBe(
      'running',
    );

    decide = allowAllButLockOverride;
    const cancelled = await post(`/releases/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await waitForEnd(backend, deployId)).status).toBe('cancelled');
  });

  it.each([
    // eslint-disable-next-line no-script-url -- the URLs an attacker stores
    'javascript:alert(1)',
    'data:text/html,x',
    'file:///etc/passwd',
    'vbscript:msgbox',
  ])('D4: refuses the URL %s in mergeRequest.url and buildUrl', async url => {
    const base = { entityRef: MINE, version: '8.0.0', commitSha: 'abcdef1' };
    await expectRefused(
      () =>
        post('/artifacts', { ...base, mergeRequest: { url, title: 't' } }, CI),
      400,
      /mergeRequest\.url: must be an https: or http: URL/,
    );
    await expectRefused(
      () => post('/artifacts', { ...base, buildUrl: url }, CI),
      400,
      /buildUrl: must be an https: or http: URL/,
    );
  });

  it('another service’s artifact answers as a missing one when deploying', async () => {
    const theirs = await register(THEIRS, '2.0.0-secret');
    const missing = '00000000-0000-4000-8000-000000000000';
    const refusals = [];
    for (const artifactId of [theirs.id, missing]) {
      const res = await expectRefused(
        () =>
          post('/deploys', {
            entityRef: MINE,
            environment: 'local',
            artifactId,
          }),
        400,
        new RegExp(`^artifactId: no artifact '${artifactId}' for ${MINE}$`),
      );
      refusals.push(res.body.error.message.replace(artifactId, 'ID'));
    }
    expect(refusals[0]).toBe(refusals[1]);
    expect(refusals[0]).not.toMatch(/secret|theirs/);
  });

  it('a malformed deploy-command annotation is a 400, not a 500', async () => {
    const res = await get(`/state?entityRef=${BROKEN}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /Invalid sled\.dev\/deploy-command: expected an array of strings or words/,
    );
  });

  it('D5: a lock must expire in the future', async () => {
    await expectRefused(
      () =>
        post('/locks', {
          environment: 'local',
          reason: 'r',
          expiresAt: new Date(Date.now() - 60_000).toISOString(),
        }),
      400,
      /expiresAt: must be in the future/,
    );
  });

  it('D6: a release to an unknown environment is a 400 before any authorization', async () => {
    decide = () => ({ result: AuthorizeResult.DENY });
    await expectRefused(
      () => post('/releases', { deployGroup: MIXED, environment: 'nowhere' }),
      400,
      /environment: unknown environment 'nowhere'/,
    );
  });

  it('D7: a __proto__ key in a release’s artifacts is a 400', async () => {
    const res = await expectRefused(
      () =>
        api()
          .post('/api/sled/releases')
          .set('Authorization', USER)
          .set('Content-Type', 'application/json')
          .send(
            `{"deployGroup":"${MIXED}","environment":"local","artifacts":{"__proto__":{"x":"00000000-0000-4000-8000-000000000000"}}}`,
          ),
      400,
      /artifacts\.__proto__: not a member entity ref/,
    );
    expect(res.status).toBe(400);
  });

  it('D8: an environment lock’s refusal names the environment', async () => {
    decide = permission =>
      permission.name === 'sled.lock'
        ? { result: AuthorizeResult.DENY }
        : allowAllButLockOverride(permission);
    await expectRefused(
      () => post('/locks', { environment: 'local', reason: 'r' }),
      403,
      /^Not allowed: sled\.lock for the whole environment local$/,
    );
  });

  it('D9: control characters and bidi overrides are refused; catalog errors are not passed through', async () => {
    for (const bad of ['\u0000', '\u202e', '\u001b[31m']) {
      await expectRefused(
        () =>
          post(
            '/artifacts',
            {
              entityRef: MINE,
              version: '9.0.0',
              commitSha: 'abcdef1',
              mergeRequest: { url: 'https://git.example/1', title: `a${bad}b` },
            },
            CI,
          ),
        400,
        /mergeRequest\.title: must not contain control characters or bidi overrides/,
      );
      await expectRefused(
        () =>
          post('/deploys', {
            entityRef: `component:default/mine${bad}`,
            environment: 'local',
            artifactId: '00000000-0000-4000-8000-000000000000',
          }),
        400,
        /entityRef: must not contain control characters/,
      );
    }
  });
});

describe('catalog errors', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('are wrapped: no stack, no internal address reaches the caller', async () => {
    const knex = await databases.init('SQLITE_3');
    const catalog = catalogServiceMock.mock({
      getEntityByRef: async () => {
        throw new Error(
          'Request failed with 500 at http://catalog.internal:7007/api/catalog/entities/by-name',
        );
      },
    });
    const backend = await startTestBackend({
      features: [
        sledPlugin,
        mockServices.rootConfig.factory({
          data: {
            sled: { environments: [{ name: 'local', executor: 'local' }] },
          },
        }),
        mockServices.database.factory({ knex }),
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => catalog,
        }),
      ],
    });
    try {
      const res = await request(backend.server)
        .get(`/api/sled/state?entityRef=${MINE}`)
        .set('Authorization', USER);
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe(
        'The software catalog could not be read; try again later',
      );
      expect(JSON.stringify(res.body)).not.toMatch(/catalog\.internal|stack/);
    } finally {
      await backend.stop();
    }
  });
});
