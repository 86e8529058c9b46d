import { APIRequestContext, expect, test } from '@playwright/test';
import { BACKEND, guestToken, registerArtifact } from './helpers';

// The REST flow CI and engineers use, against the app ./scripts/start serves.
async function waitForFinal(
  request: APIRequestContext,
  token: string,
  id: string,
) {
  let deploy: any;
  await expect
    .poll(
      async () => {
        const res = await request.get(`${BACKEND}/api/sled/deploys/${id}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        deploy = await res.json();
        return deploy.status;
      },
      { timeout: 30_000 },
    )
    .toMatch(/succeeded|failed|cancelled/);
  return deploy;
}

test('register with the CI token, deploy as guest, replay is skipped, roll back', async ({
  request,
}) => {
  const token = await guestToken(request);
  const auth = { Authorization: `Bearer ${token}` };
  const v1 = await registerArtifact(
    request,
    'ledger',
    `3.0.${Date.now() % 100000}`,
  );
  const v2 = await registerArtifact(
    request,
    'ledger',
    `3.1.${Date.now() % 100000}`,
  );

  // the CI token may not deploy
  const ciDeploy = await request.post(`${BACKEND}/api/sled/deploys`, {
    headers: {
      Authorization: `Bearer ${
        process.env.SLED_CI_TOKEN ?? 'dev-only-ci-token-change-me'
      }`,
    },
    data: {
      entityRef: 'component:default/ledger',
      environment: 'development',
      artifactId: v1.id,
    },
  });
  expect(ciDeploy.status()).toBe(403);

  for (const artifact of [v1, v2]) {
    const res = await request.post(`${BACKEND}/api/sled/deploys`, {
      headers: auth,
      data: {
        entityRef: 'component:default/ledger',
        environment: 'development',
        artifactId: artifact.id,
      },
    });
    expect(res.status()).toBe(202);
    const deploy = await waitForFinal(request, token, (await res.json()).id);
    expect(deploy.status).toBe('succeeded');
    const logs = await request.get(
      `${BACKEND}/api/sled/deploys/${deploy.id}/logs`,
      { headers: auth },
    );
    expect(await logs.text()).toContain(
      `component:default/ledger ${artifact.version}`,
    );
  }

  // replaying what already runs there changes nothing
  const replay = await request.post(`${BACKEND}/api/sled/deploys`, {
    headers: auth,
    data: {
      entityRef: 'component:default/ledger',
      environment: 'development',
      artifactId: v2.id,
    },
  });
  expect(replay.status()).toBe(200);
  expect((await replay.json()).status).toBe('skipped');

  // roll back to the previous good artifact
  const rollback = await request.post(`${BACKEND}/api/sled/rollbacks`, {
    headers: auth,
    data: { entityRef: 'component:default/ledger', environment: 'development' },
  });
  expect(rollback.status()).toBe(202);
  const rolledBack = await waitForFinal(
    request,
    token,
    (
      await rollback.json()
    ).id,
  );
  expect(rolledBack.status).toBe('succeeded');
  expect(rolledBack.artifactId).toBe(v1.id);

  const state = await (
    await request.get(
      `${BACKEND}/api/sled/state?entityRef=component:default/ledger`,
      { headers: auth },
    )
  ).json();
  expect(
    state.environments.find((e: any) => e.environment === 'development').current
      .artifact.version,
  ).toBe(v1.version);
});
