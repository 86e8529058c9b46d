import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { DeploymentMatrix, DeploymentRow } from '@internal/plugin-sled-common';
import { renderSled } from '../../__testUtils__/renderSled';
import { BASE_URL } from '../../__testUtils__/fixtures';
import { Route, Routes } from 'react-router-dom';
import { DeploymentsPage } from './DeploymentsPage';

const server = setupServer();
registerMswTestHooks(server);

const environments = ['development', 'staging', 'production'];

function row(
  name: string,
  versions: Array<string | undefined>,
  extra: Partial<DeploymentRow> = {},
): DeploymentRow {
  return {
    entityRef: `component:default/${name}`,
    ownerRef: 'group:default/team-a',
    environments: versions.map((version, i) => ({
      environment: environments[i],
      ...(version
        ? {
            current: {
              deployId: `${name}-${i}`,
              artifactId: `${name}@${version}`,
              version,
            },
          }
        : {}),
      drift: i > 0 && version !== versions[i - 1],
      pendingApprovals: 0,
      deploying: false,
    })),
    ...extra,
  };
}

function matrix(services: DeploymentRow[]): DeploymentMatrix {
  return {
    environments: environments.map((name, i) => ({
      name,
      ...(i ? { promotionFrom: environments[i - 1] } : {}),
      pendingApprovals: name === 'production' ? 1 : 0,
      locks: [],
      ...(name === 'production'
        ? { window: { open: false, message: 'Frozen until Mon 08:00' } }
        : {}),
    })),
    services,
    facets: {
      owners: ['group:default/team-a', 'group:default/team-b'],
      systems: ['system:default/commerce'],
      deployGroups: [],
    },
  };
}

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('DeploymentsPage', () => {
  it('shows what runs where, colours drift, and opens the Deploy tab on a click', async () => {
    server.use(
      http.get(`${BASE_URL}/deployments`, () =>
        HttpResponse.json(
          matrix([
            row('cart', ['1.1.0', '1.0.0', '1.0.0']),
            row('payments', ['2.0.0', '2.0.0', undefined]),
          ]),
        ),
      ),
    );
    renderSled(
      <Routes>
        <Route path="/" element={<DeploymentsPage />} />
        <Route
          path="/catalog/default/component/cart/sled-deploy"
          element={<div>the Deploy tab of cart</div>}
        />
      </Routes>,
      { mountedRoutes, initialRouteEntries: ['/'] },
    );
    const cart = await screen.findByLabelText(/^cart in staging: /);
    expect(cart).toHaveTextContent('1.0.0');
    expect(cart).toHaveAttribute('data-drift', 'true');
    expect(cart).toHaveAccessibleName(
      'cart in staging: 1.0.0 runs; differs from development (1.1.0)',
    );
    expect(screen.getByLabelText(/^cart in production: /)).not.toHaveAttribute(
      'data-drift',
    );
    expect(screen.getByLabelText(/^payments in production: /)).toHaveAttribute(
      'data-drift',
      'true',
    );
    expect(screen.getByTestId('sled-deployments-summary')).toHaveTextContent(
      '2 services × 3 environments; 2 differ',
    );
    const envs = within(screen.getByTestId('sled-deployments-environments'));
    expect(envs.getByText('1 awaiting approval')).toBeInTheDocument();
    expect(envs.getByText('frozen')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'cart' })).toHaveAttribute(
      'href',
      '/catalog/default/component/cart/sled-deploy',
    );
    await userEvent.click(cart);
    expect(
      await screen.findByText('the Deploy tab of cart'),
    ).toBeInTheDocument();
  });

  it('asks the backend again with the owner filter, and filters by name locally', async () => {
    const owners: Array<string | null> = [];
    server.use(
      http.get(`${BASE_URL}/deployments`, ({ request }) => {
        const owner = new URL(request.url).searchParams.get('owner');
        owners.push(owner);
        return HttpResponse.json(
          matrix(
            owner
              ? [row('search', ['3.0.0', '3.0.0', '3.0.0'])]
              : [
                  row('cart', ['1.0.0', '1.0.0', '1.0.0']),
                  row('search', ['3.0.0', '3.0.0', '3.0.0']),
                ],
          ),
        );
      }),
    );
    renderSled(<DeploymentsPage />, { mountedRoutes });
    await screen.findByRole('link', { name: 'cart' });

    await userEvent.type(screen.getByLabelText('Service'), 'sea');
    await waitFor(() =>
      expect(screen.queryByRole('link', { name: 'cart' })).toBeNull(),
    );
    expect(screen.getByRole('link', { name: 'search' })).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('Service'));

    await userEvent.click(screen.getByRole('button', { name: /Owner/ }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'team-b' }),
    );
    await waitFor(() => expect(owners).toEqual([null, 'group:default/team-b']));
    await waitFor(() =>
      expect(screen.queryByRole('link', { name: 'cart' })).toBeNull(),
    );
  });

  it('pages a thousand services', async () => {
    server.use(
      http.get(`${BASE_URL}/deployments`, () =>
        HttpResponse.json(
          matrix(
            Array.from({ length: 1000 }, (_, i) =>
              row(`svc-${String(i).padStart(4, '0')}`, [
                '1.1.0',
                '1.0.0',
                '1.0.0',
              ]),
            ),
          ),
        ),
      ),
    );
    renderSled(<DeploymentsPage />, { mountedRoutes });
    await screen.findByRole('link', { name: 'svc-0000' });
    expect(screen.getAllByRole('row')).toHaveLength(101);
    expect(screen.getByText('1-100 of 1000')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /next page/i }));
    expect(
      await screen.findByRole('link', { name: 'svc-0100' }),
    ).toBeInTheDocument();
  });
});
