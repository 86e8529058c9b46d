import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { Deploy, DeployStatus } from '@internal/plugin-sled-common';
import { EntitySledHistoryContent } from './HistoryContent/EntitySledHistoryContent';
import { EntitySledArtifactsContent } from './ArtifactsContent/EntitySledArtifactsContent';
import { renderSled } from '../__testUtils__/renderSled';
import {
  BASE_URL,
  makeArtifact,
  makeDeploy,
  makeServiceState,
} from '../__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

/** 1,000 deploys of one service over ~40 days, newest first. */
const ALL_DEPLOYS: Deploy[] = Array.from({ length: 1000 }, (_, n) => {
  const created = Date.UTC(2025, 2, 1) - n * 3_456_000;
  const statuses: DeployStatus[] = [
    'succeeded',
    'succeeded',
    'succeeded',
    'failed',
    'skipped',
  ];
  return makeDeploy({
    id: `perf-${n}`,
    artifactVersion: `3.${1000 - n}.0`,
    environment: ['staging', 'production', 'local'][n % 3],
    status: statuses[n % statuses.length],
    createdAt: new Date(created).toISOString(),
    startedAt: new Date(created + 500).toISOString(),
    finishedAt: new Date(
      created + 500 + 4000 + ((n * 7919) % 20_000),
    ).toISOString(),
  });
});

/** Serves pages of `items`; `onServed` records when the last one left. */
function paged<T>(items: T[], onServed: () => void) {
  return ({ request }: { request: Request }) => {
    const query = new URL(request.url).searchParams;
    const limit = Number(query.get('limit') ?? 20);
    const start = Number(query.get('cursor') ?? 0);
    const page = items.slice(start, start + limit);
    const next =
      start + limit < items.length ? String(start + limit) : undefined;
    onServed();
    return HttpResponse.json({ items: page, nextCursor: next });
  };
}

describe('rendering large histories', () => {
  it('renders a 100-row page and the chart over 1,000 deploys', async () => {
    let lastResponseAt = 0;
    server.use(
      http.get(`${BASE_URL}/environments`, () => HttpResponse.json([])),
      http.get(
        `${BASE_URL}/deploys`,
        paged(ALL_DEPLOYS, () => {
          lastResponseAt = performance.now();
        }),
      ),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledHistoryContent />);
    await screen.findByText(/1000 recent deploys/, {}, { timeout: 60_000 });
    await user.click(screen.getByRole('button', { name: /Rows per page/ }));
    const renderStart = performance.now();
    await user.click(await screen.findByRole('option', { name: '100' }));
    await screen.findByText('3.901.0', {}, { timeout: 60_000 });
    const done = performance.now();

    expect(screen.getAllByRole('row').length).toBeGreaterThanOrEqual(101);
    // eslint-disable-next-line no-console
    console.log(
      `History: 100-row page + chart over 1,000 deploys rendered ${Math.round(
        done - lastResponseAt,
      )} ms after the last response (${Math.round(
        done - renderStart,
      )} ms from choosing 100 rows)`,
    );
  }, 120_000);

  it('renders a 100-row artifacts page of 500 artifacts', async () => {
    const artifacts = Array.from({ length: 500 }, (_, i) =>
      makeArtifact(500 - i),
    );
    let lastResponseAt = 0;
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        HttpResponse.json(makeServiceState()),
      ),
      http.get(`${BASE_URL}/artifacts`, ({ request }) => {
        const url = new URL(request.url);
        url.searchParams.set('limit', '100');
        return paged(artifacts, () => {
          lastResponseAt = performance.now();
        })({ request: new Request(url) });
      }),
    );
    const renderStart = performance.now();
    renderSled(<EntitySledArtifactsContent />);
    await screen.findByText('1.401.0', {}, { timeout: 60_000 });
    const done = performance.now();
    expect(screen.getAllByRole('row').length).toBeGreaterThanOrEqual(101);
    // eslint-disable-next-line no-console
    console.log(
      `Artifacts: 100-row page rendered ${Math.round(
        done - lastResponseAt,
      )} ms after the last response (${Math.round(
        done - renderStart,
      )} ms in total)`,
    );
  }, 120_000);
});
