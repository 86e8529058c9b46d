import { expect, test } from '@playwright/test';
import { BACKEND, SCREENSHOTS, registerArtifact, signInAsGuest } from './helpers';

const GROUP = 'team-discovery';
const MEMBERS = ['search-api', 'recommendations', 'notifications'];
const PAGE = `/catalog/default/deploygroup/${GROUP}`;

test('release the team-discovery deploy group to local from the UI and watch every member succeed', async ({
  page,
  request,
}) => {
  const run = Date.now() % 1_000_000;
  const artifacts = await Promise.all(MEMBERS.map(service => registerArtifact(request, service, `7.${run}.0`)));

  await signInAsGuest(page);
  await page.goto(`${PAGE}/sled-release`);
  // the header shows the entity's name while it loads, then its title
  await expect(page.getByRole('heading', { name: /^(team-discovery|Discovery)$/ }).first()).toBeVisible();
  const matrix = page.locator('.MuiCard-root').filter({ hasText: 'Current versions' });
  for (const service of MEMBERS) {
    await expect(matrix.getByRole('row').filter({ hasText: service })).toBeVisible();
  }

  // the dialog preselects every member's newest artifact
  await page.getByRole('button', { name: 'Release', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  for (const artifact of artifacts) {
    await expect(dialog).toContainText(artifact.version);
  }
  await page.screenshot({ path: `${SCREENSHOTS}/release-dialog.png`, fullPage: true });
  await dialog.getByRole('button', { name: 'Start release' }).click();
  await expect(dialog).toBeHidden();

  // live progress: the release ends succeeded with every member succeeded
  const progress = page.getByTestId('sled-release-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('data-release-status', 'succeeded', { timeout: 60_000 });
  for (const [i, service] of MEMBERS.entries()) {
    const row = progress.getByRole('row').filter({ hasText: service });
    await expect(row).toContainText(artifacts[i].version);
    await expect(row).toContainText('succeeded');
  }
  await page.screenshot({ path: `${SCREENSHOTS}/release-succeeded.png`, fullPage: true });

  // history lists it, and the matrix shows the new versions on local
  await expect(page.getByRole('row').filter({ hasText: 'succeeded' }).first()).toBeVisible();
  for (const artifact of artifacts) {
    await expect(matrix).toContainText(artifact.version);
  }

  // the API agrees: one release, every member deployed with its artifact
  const { backstageIdentity } = await (
    await request.get(`${BACKEND}/api/auth/guest/refresh`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } })
  ).json();
  const releases = await (
    await request.get(`${BACKEND}/api/sled/releases?deployGroup=deploygroup:default/${GROUP}`, {
      headers: { Authorization: `Bearer ${backstageIdentity.token}` },
    })
  ).json();
  const latest = releases.items[0];
  expect(latest.status).toBe('succeeded');
  expect(latest.environment).toBe('local');
  expect(latest.members.map((m: { artifactId: string; status: string }) => [m.artifactId, m.status]).sort()).toEqual(
    artifacts.map(a => [a.id, 'succeeded']).sort(),
  );

  // a member service names its deploy group on its Deploy tab
  await page.goto('/catalog/default/component/search-api/sled-deploy');
  const notice = page.getByTestId('sled-deploy-group');
  await expect(notice).toContainText('Released with deploy group');
  await expect(notice.getByRole('link')).toHaveAttribute('href', PAGE);
});
