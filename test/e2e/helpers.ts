import { APIRequestContext, Page, expect } from '@playwright/test';

export const BACKEND = process.env.SLED_BACKEND_URL ?? 'http://localhost:7007';
export const CI_TOKEN =
  process.env.SLED_CI_TOKEN ?? 'dev-only-ci-token-change-me';
export const SCREENSHOTS = 'test-results/screenshots';

export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
}

/** A guest user's Backstage token, for calling the API as the UI does. */
export async function guestToken(request: APIRequestContext): Promise<string> {
  const res = await request.get(`${BACKEND}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBeTruthy();
  return (await res.json()).backstageIdentity.token;
}

/** Registers an artifact the way CI does: with the static service token. */
export async function registerArtifact(
  request: APIRequestContext,
  service: string,
  version: string,
) {
  const response = await request.post(`${BACKEND}/api/sled/artifacts`, {
    headers: { Authorization: `Bearer ${CI_TOKEN}` },
    data: {
      entityRef: `component:default/${service}`,
      version,
      image: `ghcr.io/example/${service}:${version}`,
      commitSha: `${Buffer.from(version).toString('hex')}0000000`.slice(0, 12),
      mergeRequest: {
        url: `https://git.example.com/${service}/-/merge_requests/${version.replace(
          /\D/g,
          '',
        )}`,
        title: `Release ${version} of ${service}`,
        mergedAt: new Date().toISOString(),
      },
    },
  });
  expect([200, 201]).toContain(response.status());
  return response.json();
}
