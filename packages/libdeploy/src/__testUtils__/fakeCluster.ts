/**
 * The repository's fake Kubernetes API server (test/kubernetes), a
 * kubeconfig pointing at it, and deploy runs captured for assertions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
// the fake API server lives in the repository's cross-package test/ folder
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { FakeKubernetesApi } from '../../../../test/kubernetes/FakeKubernetesApi';
import { deploy } from '../deploy.ts';
import type { DeployContext, DeployOptions, DeployPlan } from '../deploy.ts';

export { FakeKubernetesApi };

/** The namespace of the kubeconfig's context. */
export const NAMESPACE = 'shop';

/** An image pinned by digest. */
export const IMAGE = `registry.example.com/cart@sha256:${'a'.repeat(64)}`;

/** A complete deploy contract. */
export function contractEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    SLED_DEPLOY_ID: '11111111-1111-4111-8111-111111111111',
    SLED_SERVICE: 'component:default/cart',
    SLED_ENVIRONMENT: 'staging',
    SLED_ARTIFACT_ID: 'artifact-1',
    SLED_ARTIFACT_VERSION: '1.3.0',
    SLED_ARTIFACT_IMAGE: IMAGE,
    SLED_COMMIT_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
    SLED_DRY_RUN: '0',
    ...overrides,
  };
}

export interface FakeCluster {
  fake: FakeKubernetesApi;
  /** a kubeconfig file for the fake */
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startFakeCluster(): Promise<FakeCluster> {
  const fake = await FakeKubernetesApi.start();
  const dir = mkdtempSync(join(tmpdir(), 'libdeploy-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'fake',
          cluster: {
            server: fake.url,
            'certificate-authority-data': fake.caData,
          },
        },
      ],
      users: [{ name: 'sled', user: { token: fake.token } }],
      contexts: [
        {
          name: 'fake',
          context: { cluster: 'fake', user: 'sled', namespace: NAMESPACE },
        },
      ],
      'current-context': 'fake',
    }),
  );
  return {
    fake,
    kubeconfig,
    dir,
    stop: async () => {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Run {
  code: number;
  output: string;
  lines: string[];
}

/** Runs `deploy` in this process, capturing its log. */
export async function runDeploy(
  define: (context: DeployContext) => DeployPlan | Promise<DeployPlan>,
  options: DeployOptions & {
    argv?: string[];
    /** called with the whole output so far, after each write */
    watch?: (output: string) => void;
  } = {},
): Promise<Run> {
  let output = '';
  const { watch, ...rest } = options;
  const code = await deploy(define, {
    env: contractEnv(),
    argv: [],
    ...rest,
    kubernetes: {
      pollIntervalMs: 50,
      rolloutTimeoutSeconds: 10,
      requestTimeoutSeconds: 10,
      ...options.kubernetes,
    },
    write: text => {
      output += text;
      watch?.(output);
    },
    setExitCode: false,
  });
  return { code, output, lines: output.split('\n') };
}
