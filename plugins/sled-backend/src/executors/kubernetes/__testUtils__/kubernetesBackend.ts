import {
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import request from 'supertest';
import sledPlugin from '../../../index';
import { CI, USER } from '../../../__testUtils__/sledBackend';
// the fake API server lives in the repository's cross-package test/ folder
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { FakeKubernetesApi } from '../../../../../../test/kubernetes/FakeKubernetesApi';

export const NAMESPACE = 'sled-deploys';

/** A deployable service Component (the deploy command runs in the Job). */
export function kubeService(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'sled.dev/deploy-command': './deploy.sh --apply' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  };
}

export function kubernetesConfig(
  fake: FakeKubernetesApi,
  sledKubernetes: JsonObject = {},
): JsonObject {
  return {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [
            {
              name: 'staging',
              url: fake.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: 'token',
              caData: fake.caData,
            },
          ],
        },
      ],
    },
    sled: {
      environments: [
        {
          name: 'staging',
          executor: 'kubernetes',
          cluster: 'staging',
          namespace: NAMESPACE,
        },
      ],
      kubernetes: {
        defaultDeployerImage: 'ghcr.io/example/sled-deployer:1',
        activeDeadlineSeconds: 60,
        ttlSecondsAfterFinished: 3600,
        // generous under load; the timeout test sets 1 s
        requestTimeoutSeconds: 10,
        watchTimeoutSeconds: 5,
        resources: {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { memory: '256Mi' },
        },
        ...sledKubernetes,
      },
    },
  };
}

export async function startKubernetesBackend(options: {
  knex: Knex;
  fake: FakeKubernetesApi;
  entities: Entity[];
  config?: JsonObject;
  features?: any[];
}): Promise<TestBackend> {
  return startTestBackend({
    features: [
      sledPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.rootConfig.factory({
        data: options.config ?? kubernetesConfig(options.fake),
      }),
      mockServices.database.factory({ knex: options.knex }),
      ...(options.features ?? []),
    ],
  });
}

export async function registerArtifact(
  backend: TestBackend,
  entityRef: string,
  version = '1.0.0',
) {
  const res = await request(backend.server)
    .post('/api/sled/artifacts')
    .set('Authorization', CI)
    .send({
      entityRef,
      version,
      commitSha: 'abcdef1',
      image: `registry.example/app:${version}`,
    });
  expect([200, 201]).toContain(res.status);
  return res.body.id as string;
}

export async function requestDeploy(
  backend: TestBackend,
  entityRef: string,
  artifactId: string,
) {
  const res = await request(backend.server)
    .post('/api/sled/deploys')
    .set('Authorization', USER)
    .send({ entityRef, environment: 'staging', artifactId, force: true });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

export async function readLogs(
  backend: TestBackend,
  id: string,
): Promise<string> {
  const res = await request(backend.server)
    .get(`/api/sled/deploys/${id}/logs`)
    .set('Authorization', USER);
  expect(res.status).toBe(200);
  return res.text;
}

export { FakeKubernetesApi };
