import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { Deploy } from '@internal/plugin-sled-common';
import { EntitySledHistoryContent } from './EntitySledHistoryContent';
import { renderSled } from '../../__testUtils__/renderSled';
import { BASE_URL, makeDeploy } from '../../__testUtils__/fixtures';
import { approvalsHandler, errorResponse } from '../../__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

/** The open dialog, looked up afresh on every call (never kept across an await). */
const dialog = () => within(screen.getByRole('dialog'));

function deploys(count: number, offset = 0): Deploy[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const createdAt = new Date(Date.UTC(2025, 0, 20, 12) - n * 3_600_000);
    return makeDeploy({
      id: `d${n}`,
      artifactVersion: `2.${1000 - n}.0`,
      environment: n % 2 ? 'production' : 'staging',
      status: n % 10 === 3 ? 'failed' : 'succeeded',
      requestedBy: 'user:default/jane.doe',
      reason: n === 0 ? 'Hotfix for checkout' : undefined,
      createdAt: createdAt.toISOString(),
      startedAt: createdAt.toISOString(),
      finishedAt: new Date(
        createdAt.getTime() + 10_000 + n * 1000,
      ).toISOString(),
    });
  });
}

describe('EntitySledHistoryContent', () => {
  let tableQueries: URLSearchParams[];
  beforeEach(() => {
    tableQueries = [];
    server.use(
      approvalsHandler(),
      http.get(`${BASE_URL}/environments`, () =>
        HttpResponse.json([
          {
            name: 'staging',
            executor: 'kubernetes',
            requireReason: false,
            locks: [],
          },
          {
            name: 'production',
            executor: 'kubernetes',
            requireReason: true,
            locks: [],
          },
        ]),
      ),
      http.get(`${BASE_URL}/deploys`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        if (query.get('limit') === '500') {
          // the chart's sample
          return HttpResponse.json({ items: deploys(40) });
        }
        tableQueries.push(query);
        const page = query.get('cursor') === 'page-2' ? 1 : 0;
        return HttpResponse.json({
          items: deploys(20, page * 20),
          nextCursor: page === 0 ? 'page-2' : undefined,
        });
      }),
      http.get(`${BASE_URL}/deploys/:id`, ({ params }) =>
        HttpResponse.json(
          deploys(40).find(d => d.id === params.id) ??
            makeDeploy({ id: String(params.id) }),
        ),
      ),
      http.get(`${BASE_URL}/deploys/:id/logs`, ({ params }) =>
        HttpResponse.text(`deploying ${params.id}\nall done\n`),
      ),
    );
  });

  it('pages through deploys on the server, newest first', async () => {
    const user = userEvent.setup();
    renderSled(<EntitySledHistoryContent />);

    await screen.findByText('2.1000.0');
    expect(screen.getByText('Hotfix for checkout')).toBeInTheDocument();
    expect(screen.getAllByText('jane.doe')).toHaveLength(20);
    expect(tableQueries[0].get('entityRef')).toBe('component:default/rocket');
    expect(tableQueries[0].get('limit')).toBe('20');

    await user.click(screen.getByRole('button', { name: 'Older' }));
    await screen.findByText('2.980.0');
    expect(screen.queryByText('2.1000.0')).toBeNull();
    expect(tableQueries.at(-1)!.get('cursor')).toBe('page-2');
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Newer' }));
    await screen.findByText('2.1000.0');
  });

  it('filters by environment and status on the server', async () => {
    const user = userEvent.setup();
    renderSled(<EntitySledHistoryContent />);
    await screen.findByText('2.1000.0');

    await user.click(screen.getByRole('button', { name: /Environment/ }));
    await user.click(await screen.findByRole('option', { name: 'production' }));
    await waitFor(() =>
      expect(tableQueries.at(-1)!.get('environment')).toBe('production'),
    );

    await user.click(screen.getByRole('button', { name: /Status/ }));
    await user.click(await screen.findByRole('option', { name: 'failed' }));
    await user.click(await screen.findByRole('option', { name: 'cancelled' }));
    await waitFor(() =>
      expect(tableQueries.at(-1)!.get('status')).toBe('failed,cancelled'),
    );
    expect(tableQueries.at(-1)!.get('cursor')).toBeNull();
  });

  it('shows a deploy whose Job vanished as lost, and filters by lost on the server', async () => {
    server.use(
      http.get(`${BASE_URL}/deploys`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        if (query.get('limit') !== '500') tableQueries.push(query);
        return HttpResponse.json({
          items: [
            makeDeploy({
              id: 'vanished',
              artifactVersion: '9.9.9',
              status: 'lost',
              message:
                'lost: the Job sled-deploys/sled-vanished no longer exists',
            }),
          ],
        });
      }),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledHistoryContent />);
    const row = (await screen.findByText('9.9.9')).closest('tr')!;
    expect(within(row).getByText('lost')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /Status/ }));
    await user.click(await screen.findByRole('option', { name: 'lost' }));
    await waitFor(() =>
      expect(tableQueries.at(-1)!.get('status')).toBe('lost'),
    );
  });

  it('shows deploys that waited for approval, were refused or overrode the gates, and filters by them', async () => {
    server.use(
      http.get(`${BASE_URL}/deploys`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        if (query.get('limit') !== '500') tableQueries.push(query);
        return HttpResponse.json({
          items: [
            makeDeploy({
              id: 'g1',
              artifactVersion: '3.0.1',
              status: 'awaiting_approval',
              startedAt: undefined,
              finishedAt: undefined,
            }),
            makeDeploy({
              id: 'g2',
              artifactVersion: '3.0.2',
              status: 'rejected',
            }),
            makeDeploy({
              id: 'g3',
              artifactVersion: '3.0.3',
              status: 'expired',
            }),
            makeDeploy({
              id: 'g4',
              artifactVersion: '3.0.4',
              gatesOverridden: true,
            }),
          ],
        });
      }),
    );
    const user = userEvent.setup();
    renderSled(<EntitySledHistoryContent />);
    await screen.findByText('3.0.4');
    const row = (version: string) =>
      within(screen.getByText(version).closest('tr')!);
    expect(row('3.0.1').getByText('awaiting approval')).toBeInTheDocument();
    expect(row('3.0.2').getByText('rejected')).toBeInTheDocument();
    expect(row('3.0.3').getByText('expired')).toBeInTheDocument();
    expect(row('3.0.4').getByText('gates overridden')).toBeInTheDocument();
    expect(row('3.0.3').queryByText('gates overridden')).toBeNull();

    await user.click(screen.getByRole('button', { name: /Status/ }));
    await user.click(
      await screen.findByRole('option', { name: 'awaiting approval' }),
    );
    await user.click(await screen.findByRole('option', { name: 'rejected' }));
    await waitFor(() =>
      expect(tableQueries.at(-1)!.get('status')).toBe(
        'awaiting_approval,rejected',
      ),
    );
  });

  it('shows who approved a deploy and that it overrode the gates', async () => {
    const deploy = makeDeploy({
      id: 'approved',
      artifactVersion: '3.1.0',
      environment: 'production',
      gatesOverridden: true,
    });
    server.use(
      http.get(`${BASE_URL}/deploys/:id`, () => HttpResponse.json(deploy)),
      approvalsHandler(() => ({
        required: 2,
        items: [
          {
            approver: 'user:default/ann',
            decision: 'approve',
            createdAt: '2025-01-02T11:00:00.000Z',
          },
          {
            approver: 'user:default/bob',
            decision: 'approve',
            comment: 'ok for the hotfix',
            createdAt: '2025-01-02T11:30:00.000Z',
          },
        ],
        canDecide: false,
      })),
    );
    renderSled(<EntitySledHistoryContent />, {
      initialRouteEntries: ['/?deploy=approved'],
    });
    expect(await screen.findByText('2 of 2 approvals')).toBeInTheDocument();
    const approvals = screen.getByRole('group', { name: 'Approvals' });
    expect(approvals).toHaveTextContent(/Approved by ann/);
    expect(approvals).toHaveTextContent(
      /Approved by bob .*: “ok for the hotfix”/,
    );
    expect(
      dialog().getByText('overridden: deployed past a refusing release gate'),
    ).toBeInTheDocument();
  });

  it('opens a deploy with its full log when a row is clicked', async () => {
    const user = userEvent.setup();
    renderSled(<EntitySledHistoryContent />);
    await user.click(await screen.findByText('2.997.0'));

    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        dialog().getByText('Deploy of 2.997.0 to production'),
      ).toBeInTheDocument(),
    );
    expect(dialog().getByText('failed')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        dialog().getByRole('log', { name: 'Deploy log' }),
      ).toHaveTextContent('deploying d3 all done'),
    );
  });

  it('opens the deploy named in the URL', async () => {
    renderSled(<EntitySledHistoryContent />, {
      initialRouteEntries: ['/?deploy=d5'],
    });
    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        dialog().getByText('Deploy of 2.995.0 to production'),
      ).toBeInTheDocument(),
    );
  });

  it('charts durations and success rate of recent deploys', async () => {
    renderSled(<EntitySledHistoryContent />);
    // 40 deploys, 4 failed; durations 10s..49s
    expect(await screen.findByTestId('deploy-stats-summary')).toHaveTextContent(
      '40 recent deploys · success rate 90% · p50 29s · p95 47s',
    );
    expect(
      screen.getByRole('img', { name: /p50 and p95 per day/ }),
    ).toBeInTheDocument();
  });

  it('shows the backend error message', async () => {
    server.use(
      http.get(`${BASE_URL}/deploys`, () =>
        errorResponse(500, 'Error', 'Deploy history is unavailable'),
      ),
    );
    renderSled(<EntitySledHistoryContent />);
    expect(
      (await screen.findAllByText('Deploy history is unavailable')).length,
    ).toBeGreaterThan(0);
  });
});
