import { APIRequestContext, expect, test } from '@playwright/test';
import { createServer } from 'http';
import { AddressInfo } from 'net';
import {
  BACKEND,
  CI_TOKEN,
  SCREENSHOTS,
  guestToken,
  signInAsGuest,
} from './helpers';

/*
 * The Deployments page (/sled) with 1,000 services, set up as a real
 * organisation would: a catalog location of 1,000 deployable Components
 * (generated here, served on localhost:7099, which test/e2e/app-config.e2e.yaml
 * lets the backend read, and registered through the catalog API as a `url`
 * location); for the first 100 of them two artifacts each registered with the
 * CI token, and deploys through the API, each run by the local executor
 * (`true`): the newer version to development, to staging for two services in
 * three (the third drifts). The other 900 have run nothing yet (every cell
 * `—`), which the page lists all the same. Production needs an approval and
 * a soak, so it stays empty. (Deploying all 1,000 through the API took the
 * journey about 15 minutes; the page's cost is the same.)
 * Measures the page from the sidebar click until the first page of the
 * matrix is painted, the backend's answer included.
 */
const SERVICES = 1000;
/** the services that are deployed (the first ones, which the page shows first) */
const DEPLOYED = 100;
const name = (i: number) => `bulk-${String(i).padStart(4, '0')}`;
const ref = (i: number) => `component:default/${name(i)}`;

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(
  items: T[],
  width: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function countServices(api: APIRequestContext, token: string) {
  const res = await api.get(
    `${BACKEND}/api/catalog/entities/by-query?filter=kind=component,metadata.annotations.sled.dev/e2e-bulk=yes&limit=1`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  expect(res.ok()).toBeTruthy();
  return (await res.json()).totalItems as number;
}

test('the Deployments page lists 1,000 services with drift, and how fast it renders', async ({
  page,
  request,
}) => {
  test.setTimeout(900_000);
  const token = await guestToken(request);
  const user = { Authorization: `Bearer ${token}` };
  let locationId: string | undefined;
  let catalogFile = '';
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/yaml');
    res.end(catalogFile);
  });
  await new Promise<void>(resolve => server.listen(7099, 'localhost', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    // 1,000 deployable services of team-payments (the guest's team), in
    // two systems and ten deploy-group-less owners' worth of names
    const docs = Array.from({ length: SERVICES }, (_, i) =>
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        `  name: ${name(i)}`,
        '  annotations:',
        '    sled.dev/deploy-command: "true"',
        '    sled.dev/e2e-bulk: "yes"',
        'spec:',
        '  type: service',
        '  lifecycle: experimental',
        '  owner: team-payments',
        `  system: ${i % 2 ? 'commerce' : 'discovery'}`,
      ].join('\n'),
    );
    catalogFile = `${docs.join('\n---\n')}\n`;
    const location = await request.post(`${BACKEND}/api/catalog/locations`, {
      headers: user,
      data: {
        type: 'url',
        target: `http://localhost:${port}/catalog-info.yaml`,
      },
    });
    expect(location.status(), await location.text()).toBe(201);
    locationId = (await location.json()).location.id;
    await expect
      .poll(() => countServices(request, token), { timeout: 600_000 })
      .toBe(SERVICES);

    // two artifacts each, as CI registers them
    const artifacts = new Map<string, string>();
    await inParallel(
      Array.from({ length: DEPLOYED * 2 }, (_, k) => k),
      20,
      async k => {
        const i = k >> 1;
        const version = k % 2 ? '1.1.0' : '1.0.0';
        const res = await request.post(`${BACKEND}/api/sled/artifacts`, {
          headers: { Authorization: `Bearer ${CI_TOKEN}` },
          data: {
            entityRef: ref(i),
            version,
            commitSha: `${(k + 4096).toString(16)}abcdef`.slice(0, 7),
          },
        });
        expect([200, 201]).toContain(res.status());
        artifacts.set(`${i}@${version}`, (await res.json()).id);
      },
    );

    // deploys through the API, run by the local executor
    const deploys = Array.from({ length: DEPLOYED }, (_, i) => [
      { i, environment: 'development', version: '1.1.0' },
      { i, environment: 'staging', version: i % 3 ? '1.1.0' : '1.0.0' },
    ]).flat();
    await inParallel(deploys, 20, async d => {
      const res = await request.post(`${BACKEND}/api/sled/deploys`, {
        headers: user,
        data: {
          entityRef: ref(d.i),
          environment: d.environment,
          artifactId: artifacts.get(`${d.i}@${d.version}`),
        },
      });
      expect(res.status(), await res.text()).toBe(202);
    });
    await expect
      .poll(
        async () => {
          const res = await request.get(
            `${BACKEND}/api/sled/deploys?status=queued,running&limit=1`,
            { headers: user },
          );
          return (await res.json()).items.length;
        },
        { timeout: 600_000, intervals: [2000] },
      )
      .toBe(0);

    await signInAsGuest(page);
    const nav = page.getByRole('link', { name: 'Deployments' }).first();
    // actions wait without a limit: fail in 30 s when the sidebar lacks it
    await expect(nav).toBeVisible();
    const painted = async () => {
      await expect(
        page.getByLabel(`${name(0)} in staging: 1.0.0 runs`, { exact: false }),
      ).toBeVisible();
      await expect(page.locator('tbody tr')).toHaveCount(100);
    };
    // the first visit loads the page's code; the second is what a user
    // who comes back waits for (both include the backend's answer)
    const firstStart = Date.now();
    await nav.click();
    await painted();
    const first = Date.now() - firstStart;
    // away to a page that asks the backend little (the catalog's list of
    // 1,000 components would still be loading when the user comes back)
    await page
      .getByRole('link', { name: 'Settings', exact: true })
      .first()
      .click();
    await expect(page).toHaveURL(/\/settings/);
    await expect(page.getByTestId('sled-deployments-summary')).toHaveCount(0);

    const start = await page.evaluate(() => performance.now());
    await nav.click();
    const handle = await page.waitForFunction(
      `document.querySelectorAll('tbody tr').length === 100 && !!document.querySelector('[aria-label^="${name(
        0,
      )} in staging: 1.0.0 runs"]') ? performance.now() : false`,
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const ms = Math.round(((await handle.jsonValue()) as number) - start);

    await expect(page.getByTestId('sled-deployments-summary')).toContainText(
      `services × 3 environments`,
    );
    // staging of every third service differs from development
    await expect(
      page.getByLabel(
        `${name(0)} in staging: 1.0.0 runs; differs from development (1.1.0)`,
      ),
    ).toHaveAttribute('data-drift', 'true');
    await expect(
      page.getByLabel(`${name(1)} in staging: 1.1.0 runs`, { exact: true }),
    ).not.toHaveAttribute('data-drift', 'true');
    await page.screenshot({
      path: `${SCREENSHOTS}/deployments-1000-services.png`,
    });
    // the figure, printed: a timing depends on the machine's load, so it is a
    // benchmark's line, not what fails the journey
    console.log(
      `[deployments-page] /sled with ${SERVICES} services: ${ms} ms from the sidebar click to the first 100 rows (target < 1000 ms: ${
        ms < 1000 ? 'met' : 'NOT met'
      }; first visit, loading the page's code: ${first} ms)`,
    );

    // a click on a cell opens the service's Deploy tab
    await page
      .getByLabel(`${name(0)} in staging: 1.0.0 runs`, { exact: false })
      .click();
    await expect(page).toHaveURL(
      new RegExp(`/catalog/default/component/${name(0)}/sled-deploy$`),
    );
  } finally {
    if (locationId) {
      await request.delete(`${BACKEND}/api/catalog/locations/${locationId}`, {
        headers: user,
      });
    }
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
});
