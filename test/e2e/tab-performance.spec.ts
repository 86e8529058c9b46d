import { Page, Route, expect, test } from '@playwright/test';
import { SCREENSHOTS, signInAsGuest } from './helpers';

/*
 * How long the tabs take to render once their data has arrived, for one
 * service with 1,000 deploys and 500 artifacts. The backend's answers are
 * served from the browser's network layer (page.route) so the figure is the
 * frontend's alone; the real backend's query times are in the benchmarks.
 * Prints the figures (the budget is one second); timings are reported,
 * never asserted, so a busy machine cannot fail the suite.
 */
const ENTITY = 'component:default/payments';
const PAGE = '/catalog/default/component/payments';
const DAY = 86_400_000;
const now = Date.now();

const artifacts = Array.from({ length: 500 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  entityRef: ENTITY,
  version: `9.${Math.floor(i / 10)}.${i % 10}`,
  commitSha: (i * 2654435761).toString(16).padStart(12, '0').slice(0, 12),
  image: `ghcr.io/example/payments:9.${i}`,
  mergeRequest: {
    url: `https://git.example.com/mr/${i}`,
    title: `Change number ${i}`,
    mergedAt: new Date(now - (500 - i) * 3_600_000).toISOString(),
  },
  createdAt: new Date(now - (500 - i) * 3_600_000).toISOString(),
})).reverse();

const deploys = Array.from({ length: 1000 }, (_, i) => {
  const created = now - i * 0.03 * DAY;
  const status = i % 13 === 0 ? 'failed' : 'succeeded';
  return {
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    entityRef: ENTITY,
    environment: 'development',
    artifactId: artifacts[i % 500].id,
    artifactVersion: artifacts[i % 500].version,
    status,
    dryRun: false,
    force: false,
    requestedBy: 'user:default/alice',
    createdAt: new Date(created).toISOString(),
    startedAt: new Date(created + 200).toISOString(),
    finishedAt: new Date(created + 200 + 3000 + (i % 17) * 700).toISOString(),
  };
});

/** Serves a list newest-first with an offset cursor; remembers when the last answer left. */
async function servePages(
  page: Page,
  pattern: RegExp,
  items: object[],
  stamp: { at: number },
) {
  await page.route(pattern, async (route: Route) => {
    const url = new URL(route.request().url());
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const offset = Number(url.searchParams.get('cursor') ?? 0);
    const slice = items.slice(offset, offset + limit);
    const next =
      offset + limit < items.length ? String(offset + limit) : undefined;
    stamp.at = Date.now();
    await route.fulfill({ json: { items: slice, nextCursor: next } });
  });
}

async function renderedAt(page: Page, condition: string): Promise<number> {
  const handle = await page.waitForFunction(
    `(${condition}) ? Date.now() : false`,
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

test('History and Artifacts with 1,000 deploys and 500 artifacts: render time after the data arrives', async ({
  page,
}) => {
  const deploysStamp = { at: 0 };
  const artifactsStamp = { at: 0 };
  await signInAsGuest(page);
  await servePages(page, /\/api\/sled\/deploys\?/, deploys, deploysStamp);
  await servePages(page, /\/api\/sled\/artifacts\?/, artifacts, artifactsStamp);

  await page.goto(`${PAGE}/sled-history`);
  const historyAt = await renderedAt(
    page,
    `document.querySelectorAll('tbody tr').length >= 20 && !!document.querySelector('[aria-label^="Deploy duration"]') && document.body.innerText.includes('1000 recent deploys')`,
  );
  const history = historyAt - deploysStamp.at;
  await page.screenshot({
    path: `${SCREENSHOTS}/history-1000-deploys.png`,
    fullPage: true,
  });

  await page.goto(`${PAGE}/sled-artifacts`);
  const artifactsAt = await renderedAt(
    page,
    `document.querySelectorAll('tbody tr').length >= 20 && document.body.innerText.includes('${artifacts[0].version}')`,
  );
  const artifactsMs = artifactsAt - artifactsStamp.at;
  await page.screenshot({
    path: `${SCREENSHOTS}/artifacts-500.png`,
    fullPage: true,
  });

  // the next page of artifacts, as a user paging through 500
  await page.getByRole('button', { name: 'Older' }).click();
  const olderAt = await renderedAt(
    page,
    `document.body.innerText.includes('${artifacts[20].version}')`,
  );
  const olderMs = olderAt - artifactsStamp.at;

  console.log(
    `[tab-performance] render after data arrived: History (table page + chart over 1,000 deploys) ${history} ms; Artifacts first page ${artifactsMs} ms; next page ${olderMs} ms`,
  );
  expect([history, artifactsMs, olderMs].every(ms => ms >= 0)).toBe(true);
});
