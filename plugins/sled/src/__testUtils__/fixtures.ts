import { Entity } from '@backstage/catalog-model';
import {
  Artifact,
  Deploy,
  EnvironmentState,
  ServiceState,
  SLED_ANNOTATION_DEPLOY_COMMAND,
} from '@internal/plugin-sled-common';

export const BASE_URL = 'http://example.com/api/sled';

/** A stored URL that must never become a link: the attack under test. */
// eslint-disable-next-line no-script-url
export const SCRIPT_URL = 'javascript:alert(1)';

export function makeService(name = 'rocket'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { [SLED_ANNOTATION_DEPLOY_COMMAND]: './deploy.sh' },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-a',
      lifecycle: 'production',
    },
  };
}

export function makeArtifact(
  n: number,
  overrides: Partial<Artifact> = {},
): Artifact {
  const sha = `${n
    .toString(16)
    .padStart(4, '0')}abcdef0123456789abcdef0123456789ab`;
  return {
    id: `artifact-${n}`,
    entityRef: 'component:default/rocket',
    version: `1.${n}.0`,
    image: `ghcr.io/example/rocket@sha256:${sha}`,
    commitSha: sha,
    mergeRequest: {
      url: `https://git.example.com/rocket/-/merge_requests/${n}`,
      title: `Make the rocket faster (#${n})`,
      mergedAt: new Date(Date.UTC(2025, 0, 1) + n * 3600_000).toISOString(),
    },
    buildUrl: `https://ci.example.com/rocket/${n}`,
    createdAt: new Date(
      Date.UTC(2025, 0, 1) + n * 3600_000 + 60_000,
    ).toISOString(),
    ...overrides,
  };
}

let deploySeq = 0;
export function makeDeploy(overrides: Partial<Deploy> = {}): Deploy {
  deploySeq += 1;
  const createdAt = new Date(Date.UTC(2025, 0, 2, 12)).toISOString();
  return {
    id: `deploy-${deploySeq}`,
    entityRef: 'component:default/rocket',
    environment: 'staging',
    artifactId: 'artifact-2',
    artifactVersion: '1.2.0',
    status: 'succeeded',
    dryRun: false,
    force: false,
    requestedBy: 'user:default/jane.doe',
    createdAt,
    startedAt: createdAt,
    finishedAt: new Date(Date.parse(createdAt) + 12_000).toISOString(),
    ...overrides,
  };
}

export function makeEnvironmentState(
  overrides: Partial<EnvironmentState> & { environment: string },
): EnvironmentState {
  return {
    executor: 'kubernetes',
    requireReason: false,
    ...overrides,
  };
}

/** staging runs 1.2.0 and is deploying 1.3.0; production runs 1.1.0 and is locked. */
export function makeServiceState(
  entityRef = 'component:default/rocket',
): ServiceState {
  const stagingCurrent = makeDeploy({
    id: 'deploy-staging-current',
    environment: 'staging',
    artifactId: 'artifact-2',
    artifactVersion: '1.2.0',
  });
  const stagingRunning = makeDeploy({
    id: 'deploy-staging-running',
    environment: 'staging',
    artifactId: 'artifact-3',
    artifactVersion: '1.3.0',
    status: 'running',
    finishedAt: undefined,
    createdAt: '2025-01-03T10:00:00.000Z',
    startedAt: '2025-01-03T10:00:01.000Z',
  });
  const productionCurrent = makeDeploy({
    id: 'deploy-production-current',
    environment: 'production',
    artifactId: 'artifact-1',
    artifactVersion: '1.1.0',
  });
  return {
    entityRef,
    environments: [
      makeEnvironmentState({
        environment: 'staging',
        current: { artifact: makeArtifact(2), deploy: stagingCurrent },
        rollbackTarget: makeArtifact(1),
        lastDeploy: stagingRunning,
      }),
      makeEnvironmentState({
        environment: 'production',
        requireReason: true,
        current: { artifact: makeArtifact(1), deploy: productionCurrent },
        lastDeploy: productionCurrent,
        lock: {
          id: 'lock-1',
          environment: 'production',
          entityRef,
          reason: 'Freeze for the launch',
          createdBy: 'user:default/team.lead',
          createdAt: '2025-01-03T09:00:00.000Z',
        },
      }),
    ],
  };
}
