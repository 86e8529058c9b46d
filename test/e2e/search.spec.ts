import { expect, test } from '@playwright/test';
import {
  BACKEND,
  SCREENSHOTS,
  guestToken,
  registerArtifact,
  signInAsGuest,
} from './helpers';

// Portal search over recent deploys: a deploy becomes findable by its version
// once the sled-deploys collator has run (every 30 s in app-config.yaml), and
// the result leads to that deploy in the service's History tab.

test('a deploy is found by its version in search and opens in the History tab', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const service = 'search-api';
  // a version no other deploy has: its last part is the unique search token
  const version = `4.2.${Date.now() % 10_000_000}`;
  const token = await guestToken(request);
  const auth = { Authorization: `Bearer ${token}` };

  const artifact = await registerArtifact(request, service, version);
  const created = await request.post(`${BACKEND}/api/sled/deploys`, {
    headers: auth,
    data: {
      entityRef: `component:default/${service}`,
      environment: 'development',
      artifactId: artifact.id,
      reason: 'e2e: findable in search',
    },
  });
  expect(created.status()).toBe(202);
  const deploy = await created.json();

  // it is indexed with its outcome once it has finished
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `${BACKEND}/api/sled/deploys/${deploy.id}`,
          { headers: auth },
        );
        return res.ok() ? (await res.json()).status : 'unknown';
      },
      { timeout: 60_000 },
    )
    .toBe('succeeded');

  // indexing is scheduled: wait until the search backend has the document
  await expect
    .poll(
      async () => {
        const res = await request.get(`${BACKEND}/api/search/query`, {
          headers: auth,
          params: { term: version, 'types[0]': 'sled-deploy' },
        });
        // the backend may be (re)starting; keep polling
        if (!res.ok()) return [];
        const body = await res.json();
        // indexed after it finished, so the result shows the outcome
        return body.results
          .filter((r: any) => r.document.status === 'succeeded')
          .map((r: any) => r.document.location);
      },
      { timeout: 100_000, intervals: [2_000] },
    )
    .toContain(
      `/catalog/default/component/${service}/sled-history?deploy=${deploy.id}`,
    );

  await signInAsGuest(page);
  await page.goto('/search');
  await page
    .getByRole('textbox', { name: /search/i })
    .first()
    .fill(version);
  // the "Deploys" result type, added by the app's search module
  await page.getByText('Deploys', { exact: true }).click();

  const title = `${service} ${version} → development`;
  const result = page.getByRole('link', { name: title });
  await expect(result).toBeVisible();
  // the result item shows the environment and the version as chips
  const item = page
    .locator('div')
    .filter({ has: result })
    .filter({
      has: page.getByText('Environment: development', { exact: true }),
    })
    .last();
  await expect(
    item.getByText(`Version: ${version}`, { exact: true }),
  ).toBeVisible();
  await expect(item.getByText('succeeded', { exact: true })).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/search-deploys.png`,
    fullPage: true,
  });

  await result.click();
  await expect(page).toHaveURL(
    new RegExp(
      `/catalog/default/component/${service}/sled-history\\?deploy=${deploy.id}$`,
    ),
  );
  // the History tab opens with that deploy's details in front
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByRole('heading', {
      name: `Deploy of ${version} to development`,
    }),
  ).toBeVisible();
  await expect(dialog.getByText('e2e: findable in search')).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/search-deploy-landing.png`,
    fullPage: true,
  });
  // behind it, the service's deploy history lists the deploy
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${service}/sled-history`),
  );
  await expect(
    page.getByRole('cell', { name: version, exact: true }).first(),
  ).toBeVisible();
});
