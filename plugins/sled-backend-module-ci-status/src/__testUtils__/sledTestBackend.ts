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
import {
  ArtifactCheck,
  Deploy,
  isFinalDeployStatus,
} from '@internal/plugin-sled-common';
// the real sled backend and an executor for it, for this module to extend
// (dev dependencies only)
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import sledPlugin from '@internal/plugin-sled-backend';
import sledModuleEchoExecutor from '@internal/plugin-sled-backend-module-echo-executor';
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
    annotations: { 'sled.dev/deploy-command': './deploy.sh' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

/**
 * The real sled backend with the `echo` executor, the given modules and
 * config, and payments in the catalog.
 */
export function startSled(options: {
  knex?: Knex;
  features: BackendFeature[];
  sled: JsonObject;
}): Promise<TestBackend> {
  return startTestBackend({
    features: [
      sledPlugin,
      sledModuleEchoExecutor,
      ...options.features,
      catalogServiceMock.factory({ entities: [paymentsEntity] }),
      mockServices.rootConfig.factory({ data: { sled: options.sled } }),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
    ],
  });
}

/** Registers an artifact of payments with CI's check results, as CI does. */
export async function registerArtifact(
  backend: TestBackend,
  version: string,
  checks?: ArtifactCheck[],
): Promise<{ id: string; version: string }> {
  const res = await request(backend.server)
    .post('/api/sled/artifacts')
    .set('Authorization', CI)
    .send({
      entityRef: SERVICE,
      version,
      commitSha: 'c0ffee1234abcd',
      ...(checks ? { checks } : {}),
    });
  expect(res.status).toBe(201);
  return res.body;
}

/** Records one CI check result of an artifact after registration, as CI does. */
export async function recordCheck(
  backend: TestBackend,
  artifactId: string,
  check: ArtifactCheck,
): Promise<void> {
  const res = await request(backend.server)
    .post(`/api/sled/artifacts/${artifactId}/checks`)
    .set('Authorization', CI)
    .send(check);
  expect(res.status).toBe(200);
}

/** Asks for a deploy of payments, as a user does. */
export function requestDeploy(
  backend: TestBackend,
  body: { environment: string; artifactId: string; dryRun?: boolean },
) {
  return request(backend.server)
    .post('/api/sled/deploys')
    .set('Authorization', USER)
    .send({ entityRef: SERVICE, ...body });
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
