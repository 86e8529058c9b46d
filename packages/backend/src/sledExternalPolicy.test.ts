import {
  BackstageUserInfo,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import sledPlugin, {
  sledDeployGroupConditions,
  sledLockConditions,
  sledTargetConditions,
} from '@internal/plugin-sled-backend';
import { Deploy, Release, sledPermissions } from '@internal/plugin-sled-common';
import fs from 'fs';
import os from 'os';
import path from 'path';
import request from 'supertest';
import {
  authWithActors,
  userInfoFromClaims,
} from './__testUtils__/permissionBackend';

jest.setTimeout(120_000);

/**
 * sled's permissions as a policy outside this repository sees them (the
 * community RBAC plugin, say): the real permission backend, a policy that
 * knows nothing of sled's code but the conditions it exports, sent as the
 * plain JSON such a policy stores (pluginId, resourceType, rule, params).
 */

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';
const claims: Record<string, string[]> = {
  'user:default/lead-a': ['user:default/lead-a', TEAM_A],
  'user:default/lead-b': ['user:default/lead-b', TEAM_B],
  'user:default/oncall': ['user:default/oncall'],
  'user:default/reader-a': ['user:default/reader-a', TEAM_A],
};

/** A condition exactly as an external policy would store and send it. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

function conditional(
  resourceType: string,
  conditions: unknown,
): PolicyDecision {
  return asJson({
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'sled',
    resourceType,
    conditions,
  }) as PolicyDecision;
}

/**
 * - leads deploy, cancel and release what their team owns, and read all;
 * - on-call may cancel any deploy, but not lock (same resource, other action);
 * - reader-a reads only team-a's services; CI registers artifacts.
 */
function decide(
  name: string,
  resourceType: string | undefined,
  action: string | undefined,
  user?: BackstageUserInfo,
): PolicyDecision {
  if (!name.startsWith('sled.')) return { result: AuthorizeResult.ALLOW };
  if (!user) {
    return {
      result:
        name === 'sled.artifact.register'
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    };
  }
  const ref = user.userEntityRef;
  const owned = user.ownershipEntityRefs;
  if (ref === 'user:default/oncall') {
    // keyed as RBAC keys conditional policies: resource type and action
    if (resourceType === 'sled-target' && action === 'update') {
      return { result: AuthorizeResult.ALLOW };
    }
    return {
      result:
        resourceType === 'sled-target' && action === 'read'
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
    };
  }
  if (ref === 'user:default/reader-a') {
    return action === 'read'
      ? conditional(
          'sled-target',
          sledTargetConditions.isServiceOwner({ claims: owned }),
        )
      : { result: AuthorizeResult.DENY };
  }
  switch (resourceType) {
    case 'sled-deploy-group':
      return conditional(
        'sled-deploy-group',
        sledDeployGroupConditions.isDeployGroupOwner({ claims: owned }),
      );
    case 'sled-lock':
      return conditional(
        'sled-lock',
        sledLockConditions.isServiceOwner({ claims: owned }),
      );
    case 'sled-target':
      return action === 'read'
        ? { result: AuthorizeResult.ALLOW }
        : conditional(
            'sled-target',
            sledTargetConditions.isServiceOwner({ claims: owned }),
          );
    default:
      return { result: AuthorizeResult.DENY };
  }
}

const externalPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'external-test-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy({
          async handle(query, user) {
            const { permission } = query;
            return decide(
              permission.name,
              isResourcePermission(permission)
                ? permission.resourceType
                : undefined,
              permission.attributes.action,
              // who the user is, as policies learn it now (not user.info)
              user && (await userInfo.getUserInfo(user.credentials)),
            );
          },
        });
      },
    });
  },
});

const service = (name: string, owner: string, dir: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'sled.dev/deploy-command': './deploy.sh',
      'backstage.io/managed-by-location': `file:${dir}/catalog-info.yaml`,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner },
  relations: [
    { type: 'ownedBy', targetRef: owner },
    {
      type: 'deployMemberOf',
      targetRef: `deploygroup:default/${name.slice(0, 1)}-group`,
    },
  ],
});
const group = (name: string, owner: string, members: string[]): Entity => ({
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name, namespace: 'default' },
  spec: { owner, members },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const A_SERVICES = ['a1', 'a2', 'a3'];
const B_SERVICES = ['b1', 'b2'];
const ref = (name: string) => `component:default/${name}`;

/** For fixtures outside a test block: throws unless the request got `status`. */
function ensureStatus(res: request.Response, status: number) {
  if (res.status !== status) {
    throw new Error(
      `fixture request answered ${res.status}, not ${status}: ${JSON.stringify(
        res.body,
      )}`,
    );
  }
}

describe('sled permissions under an external policy and the real permission backend', () => {
  let backend: TestBackend;
  let dir: string;
  const as = (user: string) => mockCredentials.user.header(user);
  const api = () => request(backend.server);
  const get = (user: string, p: string) =>
    api().get(`/api/sled${p}`).set('Authorization', as(user));
  const post = (user: string, p: string, body?: object) =>
    api().post(`/api/sled${p}`).set('Authorization', as(user)).send(body);

  async function waitForEnd(id: string): Promise<Deploy> {
    for (;;) {
      const res = await get('user:default/lead-a', `/deploys/${id}`);
      if (
        ['succeeded', 'failed', 'cancelled', 'skipped'].includes(
          res.body.status,
        )
      )
        return res.body;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sled-external-policy-'));
    fs.writeFileSync(
      path.join(dir, 'deploy.sh'),
      '#!/bin/sh\ncase "$SLED_ARTIFACT_VERSION" in *-slow) sleep 30 & wait ;; esac\necho deployed\n',
      { mode: 0o755 },
    );
    backend = await startTestBackend({
      features: [
        permissionPlugin,
        externalPolicy,
        sledPlugin,
        permissionsServiceFactory,
        authWithActors,
        userInfoFromClaims(claims),
        catalogServiceMock.factory({
          entities: [
            ...A_SERVICES.map(n => service(n, TEAM_A, dir)),
            ...B_SERVICES.map(n => service(n, TEAM_B, dir)),
            group('a-group', TEAM_A, A_SERVICES.map(ref)),
            group('b-group', TEAM_B, B_SERVICES.map(ref)),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            sled: {
              environments: [
                { name: 'local', executor: 'local' },
                { name: 'production', executor: 'local' },
              ],
            },
          },
        }),
      ],
    });
    // every service has an artifact and a finished deploy in both environments
    for (const name of [...A_SERVICES, ...B_SERVICES]) {
      const artifact = await api()
        .post('/api/sled/artifacts')
        .set('Authorization', mockCredentials.service.header())
        .send({ entityRef: ref(name), version: '1.0.0', commitSha: 'abcdef1' });
      ensureStatus(artifact, 201);
      const lead = name.startsWith('a')
        ? 'user:default/lead-a'
        : 'user:default/lead-b';
      for (const environment of ['local', 'production']) {
        const res = await post(lead, '/deploys', {
          entityRef: ref(name),
          environment,
          artifactId: artifact.body.id,
        });
        ensureStatus(res, 202);
        await waitForEnd(res.body.id);
      }
      const lock = await post(lead, '/locks', {
        environment: 'production',
        entityRef: ref(name),
        reason: `hold ${name}`,
      });
      ensureStatus(lock, 201);
    }
    for (const [lead, deployGroup] of [
      ['user:default/lead-a', 'deploygroup:default/a-group'],
      ['user:default/lead-b', 'deploygroup:default/b-group'],
    ]) {
      const res = await post(lead, '/releases', {
        deployGroup,
        environment: 'local',
        dryRun: true,
      });
      ensureStatus(res, 202);
    }
  });

  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives every sled permission with a resource type its own (resource type, action)', () => {
    const pairs = sledPermissions.flatMap(p =>
      isResourcePermission(p)
        ? [`${p.resourceType}/${p.attributes.action}`]
        : [],
    );
    expect(pairs).toHaveLength(8);
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('registers each resource type with its own permissions and lists its rules', async () => {
    const res = await api()
      .get('/api/sled/.well-known/backstage/permissions/metadata')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    const rulesOf = (type: string) =>
      res.body.rules
        .filter((r: any) => r.resourceType === type)
        .map((r: any) => r.name)
        .sort();
    expect(rulesOf('sled-target')).toEqual([
      'IS_ENVIRONMENT',
      'IS_SERVICE',
      'IS_SERVICE_OWNER',
    ]);
    expect(rulesOf('sled-lock')).toEqual([
      'IS_ENVIRONMENT',
      'IS_SERVICE',
      'IS_SERVICE_OWNER',
    ]);
    expect(rulesOf('sled-deploy-group')).toEqual([
      'IS_DEPLOY_GROUP',
      'IS_DEPLOY_GROUP_OWNER',
    ]);
    const listed = res.body.permissions.map(
      (p: any) => `${p.name}:${p.resourceType ?? 'basic'}`,
    );
    expect(listed.sort()).toEqual(
      sledPermissions
        .map(
          p =>
            `${p.name}:${isResourcePermission(p) ? p.resourceType : 'basic'}`,
        )
        .sort(),
    );
  });

  it('lets the owners of a deploy group release it, and not another team’s lead', async () => {
    const release = (user: string) =>
      post(user, '/releases', {
        deployGroup: 'deploygroup:default/a-group',
        environment: 'local',
        dryRun: true,
      });
    expect((await release('user:default/lead-a')).status).toBe(202);
    const other = await release('user:default/lead-b');
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe(
      'Not allowed: sled.release for deploygroup:default/a-group',
    );
    // the frontend's question: the permission backend asks sled to apply
    // the condition to the group it loads (getResources)
    const ask = async (user: string) =>
      (
        await api()
          .post('/api/permission/authorize')
          .set('Authorization', as(user))
          .send({
            items: [
              {
                id: '1',
                permission: sledPermissions.find(
                  p => p.name === 'sled.release',
                ),
                resourceRef: 'deploygroup:default/a-group',
              },
            ],
          })
      ).body.items[0].result;
    expect(await ask('user:default/lead-a')).toBe(AuthorizeResult.ALLOW);
    expect(await ask('user:default/lead-b')).toBe(AuthorizeResult.DENY);
  });

  it('lets a role cancel but not lock', async () => {
    const slow = await api()
      .post('/api/sled/artifacts')
      .set('Authorization', mockCredentials.service.header())
      .send({
        entityRef: ref('b1'),
        version: '2.0.0-slow',
        commitSha: 'abcdef1',
      });
    const running = await post('user:default/lead-b', '/deploys', {
      entityRef: ref('b1'),
      environment: 'local',
      artifactId: slow.body.id,
    });
    expect(running.status).toBe(202);
    const lock = await post('user:default/oncall', '/locks', {
      environment: 'local',
      entityRef: ref('b1'),
      reason: 'stop',
    });
    expect(lock.status).toBe(403);
    expect(lock.body.error.message).toBe(
      `Not allowed: sled.lock for ${ref('b1')} in local`,
    );
    const cancel = await post(
      'user:default/oncall',
      `/deploys/${running.body.id}/cancel`,
    );
    expect(cancel.status).toBe(200);
    expect((await waitForEnd(running.body.id)).status).toBe('cancelled');
  });

  it('shows every list only as far as the caller may read, with correct pages', async () => {
    const reader = 'user:default/reader-a';
    const mine = new Set(A_SERVICES.map(ref));
    // deploys, two at a time
    const all = (await get('user:default/lead-a', '/deploys?limit=500')).body
      .items as Deploy[];
    const seen: Deploy[] = [];
    let cursor: string | undefined;
    do {
      const res = await get(
        reader,
        `/deploys?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen.map(d => d.id)).toEqual(
      all.filter(d => mine.has(d.entityRef)).map(d => d.id),
    );
    // artifacts, one at a time
    const artifacts: string[] = [];
    cursor = undefined;
    do {
      const res = await get(
        reader,
        `/artifacts?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      artifacts.push(...res.body.items.map((a: any) => a.entityRef));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(artifacts.sort()).toEqual([...mine].sort());
    // state
    expect((await get(reader, `/state?entityRef=${ref('a1')}`)).status).toBe(
      200,
    );
    expect((await get(reader, `/state?entityRef=${ref('b1')}`)).status).toBe(
      403,
    );
    // locks
    const locks = (await get(reader, '/locks')).body as Array<{
      entityRef?: string;
    }>;
    expect(locks.map(l => l.entityRef).sort()).toEqual([...mine].sort());
    // environments: no environment-wide lock is readable by ownership
    const envs = (await get(reader, '/environments')).body;
    expect(envs.map((e: any) => e.name)).toEqual(['local', 'production']);
    // releases: only the group of readable members
    const releases = (await get(reader, '/releases')).body.items as Release[];
    expect(releases.length).toBeGreaterThan(0);
    expect(
      releases.every(r => r.members.every(m => mine.has(m.entityRef))),
    ).toBe(true);
    expect(releases.map(r => r.deployGroup)).not.toContain(
      'deploygroup:default/b-group',
    );
    const theirs = (await get('user:default/lead-b', '/releases')).body
      .items as Release[];
    const b = theirs.find(
      r => r.deployGroup === 'deploygroup:default/b-group',
    )!;
    expect((await get(reader, `/releases/${b.id}`)).status).toBe(404);
  });
});
