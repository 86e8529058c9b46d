import { APIRequestContext, expect, test } from '@playwright/test';
import {
  BACKEND,
  SCREENSHOTS,
  guestToken,
  registerArtifact,
  signInAsGuest,
} from './helpers';

const SERVICE = 'cart';
const PAGE = `/catalog/default/component/${SERVICE}`;

async function deployViaApi(request: APIRequestContext, artifactId: string) {
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const res = await request.post(`${BACKEND}/api/sled/deploys`, {
    headers,
    data: {
      entityRef: `component:default/${SERVICE}`,
      environment: 'development',
      artifactId,
    },
  });
  expect(res.status()).toBe(202);
  const { id } = await res.json();
  await expect
    .poll(
      async () =>
        (
          await (
            await request.get(`${BACKEND}/api/sled/deploys/${id}`, { headers })
          ).json()
        ).status,
      { timeout: 30_000 },
    )
    .toBe('succeeded');
}

test('deploy the newest artifact from the UI, watch it, find it in History, roll back', async ({
  page,
  request,
}) => {
  const run = Date.now() % 1_000_000;
  const previous = await registerArtifact(request, SERVICE, `5.${run}.0`);
  // what runs on development before the journey: the previous version
  await deployViaApi(request, previous.id);
  const newest = await registerArtifact(request, SERVICE, `5.${run}.1`);

  await signInAsGuest(page);
  await page.goto(PAGE);
  await expect(
    page.getByRole('heading', { name: SERVICE }).first(),
  ).toBeVisible();

  // Artifacts: newest first, with where each one runs
  await page.goto(`${PAGE}/sled-artifacts`);
  const newestRow = page.getByRole('row').filter({ hasText: newest.version });
  await expect(newestRow).toBeVisible();
  await expect(
    page
      .getByRole('row')
      .filter({ hasText: previous.version })
      .getByText('development'),
  ).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/artifacts.png`,
    fullPage: true,
  });

  await newestRow.getByRole('button', { name: 'Deploy' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(newest.version);
  // three environments: the dialog asks which (none is chosen for you)
  await dialog.getByLabel('Environment').click();
  await page.getByRole('option', { name: 'development', exact: true }).click();
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  await expect(dialog).toBeHidden();

  // Deploy tab, reached in the app (no reload): the development card shows the deploy, then succeeded
  await page.getByText('Deployment', { exact: true }).click();
  await page.locator('a[href$="/sled-deploy"]').first().click();
  await expect(page).toHaveURL(new RegExp(`${PAGE}/sled-deploy$`));
  const card = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('development', { exact: true }) })
    .first();
  const log = page.getByRole('log', { name: 'Deploy log' });
  // the example deploy.ts (libdeploy) renders its manifests in under a
  // second with no cluster: the tab may first show it when it already succeeded
  await expect(card.getByText(/^(running|succeeded)$/)).toBeVisible();
  await expect(log).toContainText('kind: Deployment');
  await page.screenshot({
    path: `${SCREENSHOTS}/deploy-running.png`,
    fullPage: true,
  });
  await expect(card.getByText('succeeded', { exact: true })).toBeVisible();
  await expect(card).toContainText(newest.version);
  await expect(log).toContainText(
    `component:default/${SERVICE} ${newest.version}`,
  );
  await expect(log).toContainText('finished');
  await page.screenshot({
    path: `${SCREENSHOTS}/deploy-succeeded.png`,
    fullPage: true,
  });

  // History: the deploy is at the top
  await page.goto(`${PAGE}/sled-history`);
  // the Deploys table's first row under its header (the sidebar's unread
  // notifications badge is a row too)
  const firstRow = page.getByRole('table').getByRole('row').nth(1);
  await expect(firstRow).toContainText(newest.version);
  await expect(firstRow).toContainText('succeeded');
  await page.screenshot({ path: `${SCREENSHOTS}/history.png`, fullPage: true });

  // Roll back: the previous version is current again
  await page.goto(`${PAGE}/sled-deploy`);
  await card.getByRole('button', { name: 'Roll back' }).click();
  const confirm = page.getByRole('dialog');
  await expect(confirm).toContainText(previous.version);
  await confirm.getByRole('button', { name: 'Roll back' }).click();
  await expect(card.getByText('succeeded', { exact: true })).toBeVisible();
  await expect(card).toContainText(previous.version, { timeout: 30_000 });
  await expect(card).not.toContainText(newest.version);
  await page.screenshot({
    path: `${SCREENSHOTS}/rolled-back.png`,
    fullPage: true,
  });
});
