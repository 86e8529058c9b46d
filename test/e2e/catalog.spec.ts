import { expect, test } from '@playwright/test';
import { SCREENSHOTS, signInAsGuest } from './helpers';

test('a guest signs in, sees the example services and opens one', async ({
  page,
}) => {
  await signInAsGuest(page);

  // the catalog is the landing page; it opens on what the guest's team owns,
  // and All lists every example service
  await expect(
    page
      .getByRole('heading', { name: /Example Inc\. Catalog|Catalog/ })
      .first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'payments', exact: true }),
  ).toBeVisible();
  await page.getByRole('menuitem', { name: /^All/ }).click();
  for (const service of [
    'payments',
    'checkout',
    'cart',
    'ledger',
    'search-api',
    'recommendations',
  ]) {
    await expect(
      page.getByRole('link', { name: service, exact: true }),
    ).toBeVisible();
  }
  await page.screenshot({ path: `${SCREENSHOTS}/catalog.png`, fullPage: true });

  await page.getByRole('link', { name: 'payments', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: 'payments' }).first(),
  ).toBeVisible();
  await expect(
    page.getByText('Card and wallet payments').first(),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'team-payments' }).first(),
  ).toBeVisible();
  await page.screenshot({
    path: `${SCREENSHOTS}/service-overview.png`,
    fullPage: true,
  });
});
