import { Page, expect, test } from '@playwright/test';
import { E2eSignIn } from './E2eSignIn';
import {
  BACKEND,
  SCREENSHOTS,
  guestToken,
  registerArtifact,
  signInAsGuest,
} from './helpers';

/**
 * The release gates (issue 18) end to end, on the journeys' config layer
 * (test/e2e/app-config.e2e.yaml): production takes what succeeded in staging
 * at least 1 minute ago, and waits for one approval by the owning team or a
 * release manager other than the requester. The guest (team-payments)
 * deploys a new ledger to staging; production refuses it with the soak
 * message; once it has soaked the guest promotes it and it waits for
 * approval; Grace, a release manager, signs in in a second browser and
 * approves it; it runs, and History shows her as the approver.
 */
const SERVICE = 'ledger';
const PAGE = `/catalog/default/component/${SERVICE}`;
const APPROVER = 'grace';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${SCREENSHOTS}/approval-${name}.png` });

/** The card of an environment, by its title. */
const card = (page: Page, environment: string) =>
  page
    .locator('.MuiCard-root')
    .filter({
      has: page
        .locator('.MuiCardHeader-root')
        .getByText(environment, { exact: true }),
    })
    .first();

test('release gates: staging, production refuses until the soak, waits for approval, a second user approves, it runs, History shows the approver', async ({
  browser,
  page,
  request,
}) => {
  // two deploys, a 1-minute soak between them, and an approval
  test.setTimeout(300_000);
  const signIn = await E2eSignIn.open(request);
  const run = Date.now() % 1_000_000;
  const artifact = await registerArtifact(request, SERVICE, `9.${run}.0`);
  const version: string = artifact.version;

  await signInAsGuest(page);
  await page.goto(`${PAGE}/sled-deploy`);
  const staging = card(page, 'staging');
  const production = card(page, 'production');

  // 1. the new artifact to staging (the guest's team owns the ledger)
  await staging.getByRole('button', { name: 'Deploy' }).click();
  let dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Artifact')).toHaveValue(
    new RegExp(`^${version.replace(/\./g, '\\.')}`),
  );
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  await expect(dialog).toBeHidden();
  await expect(staging.getByText('succeeded', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await expect(staging).toContainText(version);

  // 2. production refuses it: it has not soaked in staging yet
  const soakMessage = new RegExp(
    `${version.replace(
      /\./g,
      '\\.',
    )} has soaked 0 of 1 minutes in staging; it may go to production at \\d\\d:\\d\\d UTC`,
  );
  await expect(production).toContainText(`staging runs ${version}`);
  await expect(production.getByText(soakMessage)).toBeVisible();
  const promote = production.getByRole('button', {
    name: 'Promote to production',
  });
  await expect(promote).toBeDisabled();
  await production.getByRole('button', { name: 'Deploy', exact: true }).click();
  dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Artifact')).toHaveValue(
    new RegExp(`^${version.replace(/\./g, '\\.')}`),
  );
  await expect(
    dialog.getByText('Not allowed to deploy this to production now'),
  ).toBeVisible();
  await expect(dialog.getByText(soakMessage)).toBeVisible();
  await dialog.getByLabel('Reason').fill('the approval journey');
  await expect(dialog.getByRole('button', { name: 'Deploy' })).toBeDisabled();
  await shot(page, '1-production-refuses-before-the-soak');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  // and the API refuses it too, naming the gate
  const guest = { Authorization: `Bearer ${await guestToken(request)}` };
  const refused = await request.post(`${BACKEND}/api/sled/deploys`, {
    headers: guest,
    data: {
      entityRef: `component:default/${SERVICE}`,
      environment: 'production',
      artifactId: artifact.id,
      reason: 'the approval journey, before the soak',
    },
  });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.message).toMatch(
    /^Refused by the promotion gate of production for component:default\/ledger: .* has soaked 0 of 1 minutes in staging/,
  );

  // 3. once it has soaked, the card asks the gates again by itself: promote
  await expect(promote).toBeEnabled({ timeout: 90_000 });
  await promote.click();
  dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Promote ${version} to production`);
  await expect(
    dialog.getByText(
      /^This deploy will wait for 1 approval .* before it starts\.$/,
    ),
  ).toBeVisible();
  await dialog.getByLabel('Reason').fill('ledger release, soaked in staging');
  await dialog.getByRole('button', { name: 'Deploy' }).click();
  await dialog.getByRole('button', { name: 'Confirm deploy' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByText(
      `${version} to production waits for approval: it starts once approved.`,
    ),
  ).toBeVisible();
  await expect(
    production.getByText('awaiting approval', { exact: true }),
  ).toBeVisible();
  // the requester may not approve their own deploy
  const pending = page.getByRole('group', { name: `${version} to production` });
  await expect(pending).toContainText('Requested by guest');
  await expect(pending.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await shot(page, '2-waits-for-approval');

  // 4. Grace, a release manager, signs in in a second browser and approves
  const grace = await signIn.signIn(APPROVER);
  expect(grace.ownershipEntityRefs).toContain('group:default/release-managers');
  const graceContext = await browser.newContext({
    baseURL: test.info().project.use.baseURL,
    viewport: test.info().project.use.viewport,
  });
  try {
    await signIn.useInBrowser(graceContext, grace);
    const gracePage = await graceContext.newPage();
    await signInAsGuest(gracePage);
    await gracePage.goto(`${PAGE}/sled-deploy`);
    const awaiting = gracePage.getByRole('group', {
      name: `${version} to production`,
    });
    await expect(awaiting).toContainText('Requested by guest');
    await expect(awaiting).toContainText(
      'Reason: ledger release, soaked in staging',
    );
    await awaiting
      .getByLabel('Comment (optional)')
      .fill('soaked in staging, go ahead');
    await shot(gracePage, '3-second-user-approves');
    await awaiting.getByRole('button', { name: 'Approve' }).click();
    await expect(
      gracePage.getByText(
        new RegExp(`^You approved ${version} to production: it is `),
      ),
    ).toBeVisible();
  } finally {
    await graceContext.close();
  }

  // 5. the deploy runs; History shows who approved it
  await expect(production.getByText('succeeded', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await expect(production).toContainText(version);
  await page.goto(`${PAGE}/sled-history`);
  const row = page
    .getByRole('row')
    .filter({ hasText: version })
    .filter({ hasText: 'production' });
  await expect(row).toContainText('succeeded');
  await row.click();
  dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Deploy of ${version} to production`);
  const approvals = dialog.getByRole('group', { name: 'Approvals' });
  await expect(approvals).toContainText('1 of 1 approvals');
  await expect(approvals).toContainText(`Approved by ${APPROVER}`);
  await expect(approvals).toContainText('soaked in staging, go ahead');
  await shot(page, '4-history-shows-the-approver');

  // the API agrees: Grace's approval, recorded against the deploy
  const deploys = await (
    await request.get(
      `${BACKEND}/api/sled/deploys?entityRef=component:default/${SERVICE}&environment=production&limit=1`,
      { headers: guest },
    )
  ).json();
  const [deploy] = deploys.items;
  expect(deploy).toMatchObject({
    artifactVersion: version,
    status: 'succeeded',
    requestedBy: 'user:default/guest',
  });
  const recorded = await (
    await request.get(`${BACKEND}/api/sled/deploys/${deploy.id}/approvals`, {
      headers: guest,
    })
  ).json();
  expect(recorded.items).toEqual([
    expect.objectContaining({
      approver: `user:default/${APPROVER}`,
      decision: 'approve',
    }),
  ]);
});
