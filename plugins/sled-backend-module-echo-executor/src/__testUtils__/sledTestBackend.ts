import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { JsonObject } from '@backstage/types';
import { Deploy, isFinalDeployStatus } from '@internal/plugin-sled-common';
// the real sled backend, for the modules to extend (a dev dependency only)
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import sledPlugin from '@internal/plugin-sled-backend';
import { Knex } from 'knex';
import request from 'supertest';

export const USER = mockCredentials.user.header();
export const CI = mockCredentials.service.header();
export const SERVICE = 'component:default/payments';

/** A deployable service of the catalog. */
export const paymentsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: { 'sled.dev/deploy-command': './deploy.sh --verbose' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/** The real sled backend with the given modules, environments and catalog. */
export function startSled(options: {
  knex?: Knex;
  features: BackendFeature[];
  sled: JsonObject;
  entities?: Entity[];
}): Promise<TestBackend> {
  return startTestBackend({
    features: [
      sledPlugin,
      ...options.features,
      catalogServiceMock.factory({
        entities: options.entities ?? [paymentsEntity],
      }),
      mockServices.rootConfig.factory({ data: { sled: options.sled } }),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
    ],
  });
}

/** Registers an artifact of payments, as CI does. */
export async function registerArtifact(
  backend: TestBackend,
  version = '1.2.3',
): Promise<{ id: string; version: string }> {
  const res = await request(backend.server)
    .post('/api/sled/artifacts')
    .set('Authorization', CI)
    .send({ entityRef: SERVICE, version, commitSha: 'c0ffee1234abcd' });
  expect(res.status).toBe(201);
  return res.body;
}

/** Polls a deploy through the REST API until it ended, and returns it. */
export async function waitForEnd(
  backend: TestBackend,
  id: string,
): Promise<Deploy> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await request(backend.server)
      .get(`/api/sled/deploys/${id}`)
      .set('Authorization', USER);
    expect(res.status).toBe(200);
    if (isFinalDeployStatus(res.body.status)) return res.body;
    if (Date.now() > deadline) {
      throw new Error(`deploy ${id} is still ${res.body.status}`);
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** The deploy's log, read back through the REST API. */
export async function readLog(
  backend: TestBackend,
  id: string,
): Promise<string> {
  const res = await request(backend.server)
    .get(`/api/sled/deploys/${id}/logs`)
    .set('Authorization', USER);
  expect(res.status).toBe(200);
  return res.text;
}
