import { expect, test } from '@playwright/test';
import {
  BACKEND,
  SCREENSHOTS,
  guestToken,
  registerArtifact,
  signInAsGuest,
} from './helpers';

const GROUP = 'team-discovery';
const MEMBERS = ['search-api', 'recommendations', 'notifications'];
const PAGE = `/catalog/default/deploygroup/${GROUP}`;

test('release the team-discovery deploy group to development from the UI and watch every member succeed', async ({
  page,
  request,
}) => {
  const run = Date.now() % 1_000_000;
  const artifacts = await Promise.all(
    MEMBERS.map(service => registerArtifact(request, service, `7.${run}.0`)),
  );

  await signInAsGuest(page);
  await page.goto(`${PAGE}/sled-release`);
  // the header shows the entity's name while it loads, then its title
  await expect(
    page.getByRole('heading', { name: /^(team-discovery|Discovery)$/ }).first(),
  ).toBeVisible();
  const matrix = page
    .locator('.MuiCard-root')
    .filter({ hasText: 'Current versions' });
  for (const service of MEMBERS) {
    await expect(
      matrix.getByRole('row').filter({ hasText: service }),
    ).toBeVisible();
  }

  // the dialog preselects every member's newest artifact
  await page.getByRole('button', { name: 'Release', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  for (const artifact of artifacts) {
    await expect(dialog).toContainText(artifact.version);
  }
  await page.screenshot({
    path: `${SCREENSHOTS}/release-dialog.png`,
    fullPage: true,
  });
  await dialog.getByRole('button', { name: 'Start release' }).click();
  await expect(dialog).toBeHidden();

  // live progress: the release ends succeeded with every member succeeded
  const progress = page.getByTestId('sled-release-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute('data-release-status', 'succeeded', {
    timeout: 60_000,
  });
  for (const [i, service] of MEMBERS.entries()) {
    const row = progress.getByRole('row').filter({ hasText: service });
    await expect(row).toContainText(artifacts[i].version);
    await expect(row).toContainText('succeeded');
  }
  await page.screenshot({
    path: `${SCREENSHOTS}/release-succeeded.png`,
    fullPage: true,
  });

  // history lists it, and the matrix shows the new versions on development
  await expect(
    page.getByRole('row').filter({ hasText: 'succeeded' }).first(),
  ).toBeVisible();
  for (const artifact of artifacts) {
    await expect(matrix).toContainText(artifact.version);
  }

  // the API agrees: one release, every member deployed with its artifact
  const releases = await (
    await request.get(
      `${BACKEND}/api/sled/releases?deployGroup=deploygroup:default/${GROUP}`,
      {
        headers: { Authorization: `Bearer ${await guestToken(request)}` },
      },
    )
  ).json();
  const latest = releases.items[0];
  expect(latest.status).toBe('succeeded');
  expect(latest.environment).toBe('development');
  expect(
    latest.members
      .map((m: { artifactId: string; status: string }) => [
        m.artifactId,
        m.status,
      ])
      .sort(),
  ).toEqual(artifacts.map(a => [a.id, 'succeeded']).sort());

  // a member service names its deploy group on its Deploy tab
  await page.goto('/catalog/default/component/search-api/sled-deploy');
  const notice = page.getByTestId('sled-deploy-group');
  await expect(notice).toContainText('Released with deploy group');
  await expect(notice.getByRole('link')).toHaveAttribute('href', PAGE);
});

test('lock the whole team-discovery group in development: member deploys are refused until it is unlocked', async ({
  page,
  request,
}) => {
  const headers = { Authorization: `Bearer ${await guestToken(request)}` };
  const reason = `e2e freeze ${Date.now() % 1_000_000}`;
  const artifact = await registerArtifact(
    request,
    'recommendations',
    `7.${Date.now() % 1_000_000}.1`,
  );
  const groupLock = async () =>
    (
      (await (
        await request.get(
          `${BACKEND}/api/sled/locks?deployGroup=deploygroup:default/${GROUP}`,
          { headers },
        )
      ).json()) as Array<{
        id: string;
        deployGroup?: string;
        reason: string;
      }>
    ).find(l => l.deployGroup === `deploygroup:default/${GROUP}`);

  await signInAsGuest(page);
  await page.goto(`${PAGE}/sled-release`);
  const status = page.getByTestId('sled-group-lock-development');
  await expect(status).toHaveText('Not locked');
  try {
    await page.getByRole('button', { name: 'Lock development' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('every service in this deploy group');
    await dialog.getByLabel(/Reason/).fill(reason);
    await dialog.getByRole('button', { name: 'Lock', exact: true }).click();
    await expect(status).toContainText(`Locked by guest: ${reason}`);
    await page.screenshot({
      path: `${SCREENSHOTS}/release-group-locked.png`,
      fullPage: true,
    });

    // a single deploy of a member is refused, naming the group
    const refused = await request.post(`${BACKEND}/api/sled/deploys`, {
      headers,
      data: {
        entityRef: 'component:default/recommendations',
        environment: 'development',
        artifactId: artifact.id,
      },
    });
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error.message).toContain(
      `with its deploy group deploygroup:default/${GROUP}`,
    );

    // the member's Deploy tab shows the group lock
    await page.goto('/catalog/default/component/recommendations/sled-deploy');
    const alert = page.getByRole('alert').filter({ hasText: reason });
    await expect(alert).toContainText('locked with its deploy group');

    await page.goto(`${PAGE}/sled-release`);
    await page.getByRole('button', { name: 'Unlock development' }).click();
    await expect(status).toHaveText('Not locked');
    expect(await groupLock()).toBeUndefined();
  } finally {
    // never leave the group locked for the journeys that follow
    const left = await groupLock();
    if (left)
      await request.delete(`${BACKEND}/api/sled/locks/${left.id}`, { headers });
  }
});
