import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { Entity } from '@backstage/catalog-model';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { DoraFigures, DoraMetrics } from '@internal/plugin-sled-common';
import { renderSled } from '../../__testUtils__/renderSled';
import { BASE_URL } from '../../__testUtils__/fixtures';
import { errorResponse } from '../../__testUtils__/handlers';
import { EntitySledDoraCard } from './EntitySledDoraCard';

const GROUP = 'deploygroup:default/space';
const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'space', namespace: 'default' },
  spec: { owner: 'team-space', members: ['rocket'] },
};

const H = 3600;

function figures(f: Partial<DoraFigures>): DoraFigures {
  return {
    from: '2026-11-08T00:00:00.000Z',
    to: '2026-12-08T00:00:00.000Z',
    deployments: 0,
    deploymentsPerDay: 0,
    changes: 0,
    failures: 0,
    leadTime: { count: 0 },
    timeToRestore: { count: 0 },
    ...f,
  };
}

const server = setupServer();
registerMswTestHooks(server);

const tile = (label: string) =>
  within(screen.getByRole('group', { name: label }));

describe('EntitySledDoraCard', () => {
  let queries: URLSearchParams[];

  beforeEach(() => {
    queries = [];
    server.use(
      http.get(`${BASE_URL}/environments`, () =>
        HttpResponse.json(
          ['staging', 'production'].map(name => ({
            name,
            executor: 'local',
            requireReason: false,
            locks: [],
          })),
        ),
      ),
      http.get(`${BASE_URL}/metrics/dora`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        queries.push(query);
        const body: DoraMetrics = {
          deployGroup: GROUP,
          rollbackWithinSeconds: 3600,
          current: figures({
            deployments: 45,
            deploymentsPerDay: 1.5,
            changes: 50,
            failures: 5,
            changeFailureRate: 0.1,
            leadTime: {
              count: 40,
              medianSeconds: 3 * H + 20 * 60,
              meanSeconds: 4 * H,
            },
            timeToRestore: {
              count: 4,
              medianSeconds: 50 * 60,
              meanSeconds: 60 * 60,
            },
          }),
          previous: figures({
            deployments: 30,
            deploymentsPerDay: 1,
            changes: 40,
            failures: 8,
            changeFailureRate: 0.2,
            leadTime: { count: 25, medianSeconds: 2 * H, meanSeconds: 2 * H },
          }),
        };
        return HttpResponse.json(body);
      }),
    );
  });

  it("shows the group's four figures with the trend against the window before", async () => {
    renderSled(<EntitySledDoraCard />, { entity: group });
    await screen.findByText('DORA metrics');
    await waitFor(() =>
      expect(tile('Deployment frequency').getByText('1.5/day')).toBeVisible(),
    );
    // asked for the group, over the last 30 days, every environment
    const query = queries[queries.length - 1];
    expect(query.get('deployGroup')).toBe(GROUP);
    expect(query.get('environment')).toBeNull();
    expect(Date.parse(query.get('to')!) - Date.parse(query.get('from')!)).toBe(
      30 * 86_400_000,
    );

    expect(tile('Deployment frequency').getByText('45 deploys')).toBeVisible();
    expect(
      tile('Deployment frequency').getByText('▲ +50% vs previous 30 days'),
    ).toBeVisible();
    expect(tile('Lead time for changes').getByText('3h 20m')).toBeVisible();
    // slower than before: up, and worse
    expect(
      tile('Lead time for changes').getByText('▲ +67% vs previous 30 days'),
    ).toBeVisible();
    expect(tile('Change failure rate').getByText('10%')).toBeVisible();
    expect(
      tile('Change failure rate').getByText('5 of 50 changes'),
    ).toBeVisible();
    expect(
      tile('Change failure rate').getByText('▼ -10 pts vs previous 30 days'),
    ).toBeVisible();
    expect(tile('Time to restore').getByText('50m')).toBeVisible();
    expect(
      tile('Time to restore').getByText(
        'nothing to compare in the previous 30 days',
      ),
    ).toBeVisible();
  });

  it('asks again for another window and environment', async () => {
    renderSled(<EntitySledDoraCard />, { entity: group });
    await screen.findByText('1.5/day');
    await userEvent.click(screen.getByLabelText('Window'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Last 7 days' }),
    );
    await userEvent.click(screen.getByLabelText('Environment'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'production' }),
    );
    await waitFor(() => {
      const query = queries[queries.length - 1];
      expect(query.get('environment')).toBe('production');
      expect(
        Date.parse(query.get('to')!) - Date.parse(query.get('from')!),
      ).toBe(7 * 86_400_000);
    });
    expect(await screen.findByText('Last 7 days, production')).toBeVisible();
  });

  it('shows the backend error message', async () => {
    server.use(
      http.get(`${BASE_URL}/metrics/dora`, () =>
        errorResponse(403, 'NotAllowedError', 'Not allowed: sled.read'),
      ),
    );
    renderSled(<EntitySledDoraCard />, { entity: group });
    expect(
      (await screen.findAllByText(/Not allowed: sled.read/)).length,
    ).toBeGreaterThan(0);
  });
});
