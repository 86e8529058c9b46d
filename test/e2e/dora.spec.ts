import { expect, test } from '@playwright/test';
import { BACKEND, guestToken, SCREENSHOTS, signInAsGuest } from './helpers';

/**
 * The DORA card on the example data of a fresh database: payments' History
 * tab and its deploy group's page. A rollback in staging first, so a change
 * failed and was restored (the example history has failures but no restore).
 */
test('DORA metrics on the History tab and the deploy group page', async ({
  page,
  request,
}) => {
  const token = await guestToken(request);
  const headers = { Authorization: `Bearer ${token}` };
  const succeeded = (id: string) =>
    expect
      .poll(
        async () =>
          (
            await (
              await request.get(`${BACKEND}/api/sled/deploys/${id}`, {
                headers,
              })
            ).json()
          ).status,
        { timeout: 60_000 },
      )
      .toBe('succeeded');
  // what staging runs now, to put it back afterwards: the journeys share
  // one database, and the first run expects the example history
  const state = await (
    await request.get(
      `${BACKEND}/api/sled/state?entityRef=component:default/payments`,
      { headers },
    )
  ).json();
  const stagingBefore = state.environments.find(
    (e: any) => e.environment === 'staging',
  ).current.artifact.id as string;
  const rollback = await request.post(`${BACKEND}/api/sled/rollbacks`, {
    headers,
    data: {
      entityRef: 'component:default/payments',
      environment: 'staging',
      reason: 'e2e: DORA card',
    },
  });
  expect(rollback.status()).toBe(202);
  await succeeded((await rollback.json()).id);
  try {
    await signInAsGuest(page);
    await page.goto('/catalog/default/component/payments/sled-history');
    const card = page
      .locator('.MuiCard-root')
      .filter({ hasText: 'DORA metrics' });
    await expect(card).toContainText('Last 30 days, every environment');
    const failureRate = card.getByRole('group', {
      name: 'Change failure rate',
    });
    // production's failed attempt and staging's rolled-back 1.1.0
    await expect(failureRate).toContainText(/of \d+ changes/);
    await expect(failureRate).not.toContainText('–');
    await expect(
      card.getByRole('group', { name: 'Time to restore' }),
    ).toContainText('median of 1 restore');
    await expect(
      card.getByRole('group', { name: 'Lead time for changes' }),
    ).toContainText(/median of \d+ changes/);
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: `${SCREENSHOTS}/dora-history-card.png` });

    await page.goto('/catalog/default/deploygroup/mono-deploy');
    const groupCard = page
      .locator('.MuiCard-root')
      .filter({ hasText: 'DORA metrics' });
    await expect(
      groupCard.getByRole('group', { name: 'Deployment frequency' }),
    ).toContainText(/\d+ deploys/);
    await groupCard.screenshot({ path: `${SCREENSHOTS}/dora-group-card.png` });
    await groupCard.getByLabel('Environment').click();
    const answer = page.waitForResponse(
      r => r.url().includes('/metrics/dora?') && r.url().includes('staging'),
    );
    await page.getByRole('option', { name: 'staging' }).click();
    const staging = await answer;
    expect(staging.status(), await staging.text()).toBe(200);
    await expect(groupCard).toContainText('Last 30 days, staging');
    await expect(
      groupCard.getByRole('group', { name: 'Change failure rate' }),
    ).toContainText(/1 of \d+ changes/);
    await groupCard.screenshot({
      path: `${SCREENSHOTS}/dora-group-card-staging.png`,
    });
  } finally {
    // staging runs what it ran before the rollback again
    const restore = await request.post(`${BACKEND}/api/sled/deploys`, {
      headers,
      data: {
        entityRef: 'component:default/payments',
        environment: 'staging',
        artifactId: stagingBefore,
        reason: 'e2e: DORA card, put back',
      },
    });
    expect(restore.status(), await restore.text()).toBe(202);
    await succeeded((await restore.json()).id);
  }
});
