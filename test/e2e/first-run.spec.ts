import { Page, expect, test } from '@playwright/test';
import { SCREENSHOTS, signInAsGuest } from './helpers';

/**
 * The README's first-run walk, on the example data of a fresh database
 * (sled.development.exampleData): every service has artifacts 1.0.0–1.3.0,
 * with 1.2.0 in development, 1.1.0 in staging and 1.0.0 in production
 * (after a failed attempt at 1.1.0). The guest is in team-payments.
 */
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}/first-run-${name}.png` });

const card = (page: Page, environment: string) =>
  page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText(environment, { exact: true }) })
    .first();

async function deployNewest(page: Page, environment: string) {
  await card(page, environment).getByRole('button', { name: 'Deploy' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Artifact')).toHaveValue(/^1\.3\.0/);
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    card(page, environment).getByText('succeeded', { exact: true }),
  ).toBeVisible();
  await expect(card(page, environment)).toContainText('1.3.0');
}

test('the first run: open payments, deploy to development, the same version to staging, production asks for a reason, release a deploy group', async ({
  page,
}) => {
  await signInAsGuest(page);

  // 1. /catalog is the catalog: open payments
  await page.goto('/catalog');
  await page.getByRole('link', { name: 'payments', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: 'payments' }).first(),
  ).toBeVisible();
  // its Overview: what it is, and the deploy group it is released with
  await expect(
    page.getByText('Card and wallet payments').first(),
  ).toBeVisible();
  await expect(page.getByTestId('sled-deployed-versions-group')).toContainText(
    'Mono-deploy',
  );
  // the catalog graph draws the group relation (deployMemberOf)
  const graph = page
    .getByRole('img')
    .filter({ hasText: 'hasDeployMember / deployMemberOf' })
    .first();
  await expect(graph).toContainText('Mono-deploy');
  await page.screenshot({
    path: `${SCREENSHOTS}/first-run-1-payments.png`,
    fullPage: true,
  });

  // the Deployment tabs: Deploy first, then History and Artifacts
  await page.getByText('Deployment', { exact: true }).click();
  const tabs = page.locator('a[href*="/sled-"]');
  await expect(tabs.first()).toHaveAttribute('href', /\/sled-deploy$/);
  await tabs.first().click();
  await expect(page).toHaveURL(/\/component\/payments\/sled-deploy$/);
  // the example history: older versions further along
  await expect(card(page, 'development')).toContainText('1.2.0');
  await expect(card(page, 'staging')).toContainText('1.1.0');
  await expect(card(page, 'production')).toContainText('1.0.0');
  await expect(card(page, 'production')).toContainText('failed');
  await shot(page, '2-deploy-tab');

  // 2. deploy the newest artifact to development
  await deployNewest(page, 'development');
  // when the first deploy in the browser succeeded (time to first deploy)
  console.log(
    `[first-run] deploy to development succeeded at ${new Date().toISOString()}`,
  );
  await shot(page, '3-development');

  // 3. the same version to staging (the guest's team owns payments)
  await deployNewest(page, 'staging');
  await shot(page, '4-staging');

  // 4. production refuses a deploy without a reason
  await card(page, 'production')
    .getByRole('button', { name: 'Deploy' })
    .click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByText('production requires a reason for every deploy'),
  ).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Deploy' })).toBeDisabled();
  await shot(page, '5-production-needs-a-reason');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // 5. release payments' deploy group to development
  await page.getByTestId('sled-deploy-group').getByRole('link').click();
  await expect(page).toHaveURL(/\/deploygroup\/mono-deploy/);
  await page.goto('/catalog/default/deploygroup/mono-deploy/sled-release');
  await page.getByRole('button', { name: 'Release', exact: true }).click();
  const release = page.getByRole('dialog');
  await expect(release).toContainText('1.3.0');
  await shot(page, '6-release-dialog');
  await release.getByRole('button', { name: 'Start release' }).click();
  await expect(release).toBeHidden();
  const progress = page.getByTestId('sled-release-progress');
  await expect(progress).toHaveAttribute('data-release-status', 'succeeded', {
    timeout: 60_000,
  });
  // each member's newest artifact (other journeys may have registered newer
  // ones of theirs): payments' is the 1.3.0 it already runs, so it is skipped
  for (const member of ['ledger', 'checkout', 'cart']) {
    await expect(
      progress.getByRole('row').filter({ hasText: member }),
    ).toContainText('succeeded');
  }
  await expect(
    progress.getByRole('row').filter({ hasText: 'payments' }),
  ).toContainText('1.3.0');
  // and the current versions follow: checkout runs what the release deployed
  const released = await progress
    .getByRole('row')
    .filter({ hasText: 'checkout' })
    .getByRole('cell')
    .nth(2)
    .textContent();
  await expect(
    page
      .locator('.MuiCard-root')
      .filter({ hasText: 'Current versions' })
      .getByRole('row')
      .filter({ hasText: 'checkout' }),
  ).toContainText(released!.trim());
  await page.screenshot({
    path: `${SCREENSHOTS}/first-run-7-released.png`,
    fullPage: true,
  });
});
