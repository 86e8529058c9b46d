import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleSledDeployGroups from '@internal/plugin-catalog-backend-module-sled-deploy-groups';
import permissionModuleSledPolicy from '@internal/plugin-permission-backend-module-sled-policy';
import sledPlugin from '@internal/plugin-sled-backend';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import yaml from 'yaml';
import {
  authWithActors,
  userInfoFromClaims,
} from './__testUtils__/permissionBackend';

jest.setTimeout(120_000);

/**
 * The example policy end to end: the real permission backend runs the sled
 * policy module, and the real catalog (with the deploy-groups module and the
 * example catalog in catalog/) decides ownership of a DeployGroup. Only
 * sign-in is replaced: the users' ownership claims are those the auth
 * backend resolves for the example organisation.
 */
const claims: Record<string, string[]> = {
  'user:default/dave': ['user:default/dave', 'group:default/team-discovery'],
  'user:default/alice': ['user:default/alice', 'group:default/team-payments'],
  'user:default/grace': [
    'user:default/grace',
    'group:default/release-managers',
  ],
};

const userInfo = userInfoFromClaims(claims);

const repoRoot = path.resolve(__dirname, '../../..');
const appConfig = yaml.parse(
  fs.readFileSync(path.join(repoRoot, 'app-config.yaml'), 'utf8'),
);

describe('releasing and locking a deploy group with the example policy', () => {
  let backend: TestBackend;
  const as = (user: string) => mockCredentials.user.header(user);
  const lockGroup = (user: string, deployGroup: string) =>
    request(backend.server)
      .post('/api/sled/locks')
      .set('Authorization', as(user))
      .send({
        environment: 'development',
        deployGroup,
        reason: `freeze by ${user}`,
      });

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleSledDeployGroups,
        permissionPlugin,
        permissionModuleSledPolicy,
        sledPlugin,
        permissionsServiceFactory,
        authWithActors,
        userInfo,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: {
              rules: appConfig.catalog.rules,
              locations: [
                {
                  type: 'file',
                  target: path.join(repoRoot, 'catalog/all.yaml'),
                },
              ],
            },
            sled: {
              // the example environments: development, staging, production
              environments: appConfig.sled.environments,
              policy: appConfig.sled.policy,
            },
          },
        }),
      ],
    });
    // wait until the catalog has processed the example deploy groups with
    // their owners (each group is a location of its own)
    const deadline = Date.now() + 90_000;
    for (const group of ['team-discovery', 'mono-deploy']) {
      for (;;) {
        const res = await request(backend.server)
          .get(`/api/catalog/entities/by-name/deploygroup/default/${group}`)
          .set('Authorization', mockCredentials.service.header());
        if (
          res.status === 200 &&
          res.body.relations?.some(
            (r: { type: string }) => r.type === 'ownedBy',
          )
        )
          break;
        if (Date.now() > deadline)
          throw new Error(
            `the example catalog was not processed (${group}): ${res.status}`,
          );
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    }
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('lets the owning team lock its group, and nobody else but release managers', async () => {
    const dave = await lockGroup(
      'user:default/dave',
      'deploygroup:default/team-discovery',
    );
    expect(dave.status).toBe(201);
    expect(dave.body).toMatchObject({
      deployGroup: 'deploygroup:default/team-discovery',
      createdBy: 'user:default/dave',
    });

    const alice = await lockGroup(
      'user:default/alice',
      'deploygroup:default/team-discovery',
    );
    expect(alice.status).toBe(403);
    expect(alice.body.error.message).toBe(
      'Not allowed: sled.release for deploygroup:default/team-discovery',
    );

    // the mono-deploy is owned by release-managers
    expect(
      (await lockGroup('user:default/dave', 'deploygroup:default/mono-deploy'))
        .status,
    ).toBe(403);
    expect(
      (await lockGroup('user:default/grace', 'deploygroup:default/mono-deploy'))
        .status,
    ).toBe(201);
    expect(
      (
        await lockGroup(
          'user:default/grace',
          'deploygroup:default/team-discovery',
        )
      ).status,
    ).toBe(201);

    // unlocking follows the same rule
    const unlock = (user: string) =>
      request(backend.server)
        .delete(`/api/sled/locks/${dave.body.id}`)
        .set('Authorization', as(user));
    expect((await unlock('user:default/alice')).status).toBe(403);
    expect((await unlock('user:default/dave')).status).toBe(204);
  });

  it('lets only owners and release managers release a group', async () => {
    const release = (user: string, deployGroup: string) =>
      request(backend.server)
        .post('/api/sled/releases')
        .set('Authorization', as(user))
        .send({ deployGroup, environment: 'development', dryRun: true });

    const alice = await release(
      'user:default/alice',
      'deploygroup:default/team-discovery',
    );
    expect(alice.status).toBe(403);
    expect(alice.body.error.message).toBe(
      'Not allowed: sled.release for deploygroup:default/team-discovery',
    );
    expect(
      (await release('user:default/dave', 'deploygroup:default/mono-deploy'))
        .status,
    ).toBe(403);

    // allowed: what stops them now is that no member has an artifact yet
    for (const [user, group] of [
      ['user:default/dave', 'deploygroup:default/team-discovery'],
      ['user:default/grace', 'deploygroup:default/mono-deploy'],
    ]) {
      const res = await release(user, group);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `artifacts: no member of ${group} has a registered artifact to release`,
      );
    }
  });
});
