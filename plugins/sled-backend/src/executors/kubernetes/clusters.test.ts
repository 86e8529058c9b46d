import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
// the fake API server lives in the repository's cross-package test/ folder
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { FakeKubernetesApi } from '../../../../../test/kubernetes/FakeKubernetesApi';
import { KubernetesClusters } from './clusters';
import { kubernetesConfig, NAMESPACE } from './__testUtils__/kubernetesBackend';

describe('KubernetesClusters', () => {
  let fake: FakeKubernetesApi;
  let clusters: KubernetesClusters;

  beforeEach(async () => {
    fake = await FakeKubernetesApi.start();
    clusters = KubernetesClusters.fromConfig({
      config: new ConfigReader(kubernetesConfig(fake)),
      logger: mockServices.logger.mock(),
      required: [{ environment: 'staging', cluster: 'staging' }],
      requestTimeoutMs: 10_000,
    });
  });

  afterEach(async () => {
    clusters.close();
    await fake.stop();
  });

  // A capped keep-alive agent queued requests, and node-fetch then failed
  // complete chunked answers with "Premature close" when a freed socket went
  // to the next request (seen at release parallelism 100).
  it('reads complete answers for many concurrent requests over one pooled agent', async () => {
    const { batch, core } = await clusters.clients('staging');
    const results = await Promise.allSettled(
      Array.from({ length: 150 }, (_, i) =>
        i % 2
          ? batch.listNamespacedJob({ namespace: NAMESPACE })
          : core.listNamespacedPod({ namespace: NAMESPACE }),
      ),
    );
    const failures = results.flatMap(r =>
      r.status === 'rejected' ? [String(r.reason)] : [],
    );
    expect(failures).toEqual([]);
  });

  it('pools the connections of watches and log streams too', async () => {
    const [a, b] = await Promise.all([
      clusters.clients('staging'),
      clusters.clients('staging'),
    ]);
    const [x, y] = await Promise.all([
      a.kubeConfig.applyToFetchOptions({}),
      b.kubeConfig.applyToFetchOptions({}),
    ]);
    expect(x.agent).toBeDefined();
    expect(x.agent).toBe(y.agent);
  });
});
