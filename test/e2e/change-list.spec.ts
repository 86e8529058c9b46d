import { Page, expect, test } from '@playwright/test';
import { SCREENSHOTS, signInAsGuest } from './helpers';

/**
 * What a deploy brings and a rollback takes back, on the example data of a
 * fresh database (every service has 1.0.0–1.3.0, each built from a merge
 * request; production runs 1.0.0, staging 1.1.0 after 1.0.0). Nothing is
 * deployed: the dialogs are opened and closed.
 */
const card = (page: Page, environment: string) =>
  page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText(environment, { exact: true }) })
    .first();

test('the Deploy and Rollback dialogs list the merge requests between versions', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/payments/sled-deploy');
  await expect(card(page, 'production')).toContainText('1.0.0');

  await card(page, 'production')
    .getByRole('button', { name: 'Deploy' })
    .click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Artifact')).toHaveValue(/^1\.3\.0/);
  const changes = dialog.getByTestId('artifact-changes');
  await expect(changes).toContainText(/^\d+ merge requests? since 1\.0\.0/);
  const list = changes.getByRole('list', { name: 'Changes' });
  // latest version first, each linked to its merge request
  await expect(list.getByRole('listitem').first()).toContainText('1.3.0');
  await expect(list.getByRole('link').first()).toHaveAttribute(
    'href',
    /merge_requests\/103$/,
  );
  await dialog.screenshot({ path: `${SCREENSHOTS}/changes-deploy-dialog.png` });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  const rollback = card(page, 'staging').getByRole('button', {
    name: 'Roll back',
  });
  await rollback.click();
  await expect(dialog.getByTestId('artifact-changes')).toContainText(
    /^You take back \d+ merge requests? \(/,
  );
  await dialog.screenshot({
    path: `${SCREENSHOTS}/changes-rollback-dialog.png`,
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
