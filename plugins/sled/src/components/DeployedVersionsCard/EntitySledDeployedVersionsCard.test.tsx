import { screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { RELATION_DEPLOY_MEMBER_OF } from '@internal/plugin-sled-common';
import { EntitySledDeployedVersionsCard } from './EntitySledDeployedVersionsCard';
import { renderSled } from '../../__testUtils__/renderSled';
import {
  BASE_URL,
  makeDeploy,
  makeService,
  makeServiceState,
} from '../../__testUtils__/fixtures';
import { errorResponse } from '../../__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

describe('EntitySledDeployedVersionsCard', () => {
  it('shows the version running in each environment and a deploy in flight', async () => {
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        HttpResponse.json(makeServiceState()),
      ),
    );
    renderSled(<EntitySledDeployedVersionsCard />);
    await screen.findByText('Deployed versions');
    // the service's state is in once its environments are shown
    await screen.findByText('staging');
    const staging = within(screen.getByText('staging').closest('tr')!);
    expect(staging.getByText('1.2.0')).toBeInTheDocument();
    expect(staging.getByText('running')).toBeInTheDocument();
    expect(staging.getByText('1.3.0')).toBeInTheDocument();
    const production = within(screen.getByText('production').closest('tr')!);
    expect(production.getByText('1.1.0')).toBeInTheDocument();
    expect(production.getByText('(locked)')).toBeInTheDocument();
  });

  it('shows a lost last deploy beside the version that last succeeded', async () => {
    const state = makeServiceState();
    state.environments[0].lastDeploy = makeDeploy({
      id: 'deploy-staging-lost',
      artifactVersion: '1.3.0',
      status: 'lost',
      message: 'lost: the Job sled-deploys/sled-1 no longer exists',
    });
    server.use(http.get(`${BASE_URL}/state`, () => HttpResponse.json(state)));
    renderSled(<EntitySledDeployedVersionsCard />);
    await screen.findByText('staging');
    const staging = within(screen.getByText('staging').closest('tr')!);
    expect(staging.getByText('1.2.0')).toBeInTheDocument();
    expect(staging.getByText('lost')).toBeInTheDocument();
    expect(staging.getByText('1.3.0')).toBeInTheDocument();
  });

  it.each([
    ['awaiting_approval', 'awaiting approval'],
    ['rejected', 'rejected'],
    ['expired', 'expired'],
  ] as const)(
    'shows a last deploy %s beside the version that runs',
    async (status, words) => {
      const state = makeServiceState();
      state.environments[1].lastDeploy = makeDeploy({
        id: `deploy-production-${status}`,
        environment: 'production',
        artifactVersion: '1.4.2',
        status,
      });
      server.use(http.get(`${BASE_URL}/state`, () => HttpResponse.json(state)));
      renderSled(<EntitySledDeployedVersionsCard />);
      await screen.findByText('production');
      const production = within(screen.getByText('production').closest('tr')!);
      expect(production.getByText('1.1.0')).toBeInTheDocument();
      expect(production.getByText(words)).toBeInTheDocument();
      expect(production.getByText('1.4.2')).toBeInTheDocument();
    },
  );

  it('names the deploy group that releases the service and links to it', async () => {
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        HttpResponse.json(makeServiceState()),
      ),
    );
    const service = makeService();
    renderSled(<EntitySledDeployedVersionsCard />, {
      entity: {
        ...service,
        relations: [
          {
            type: RELATION_DEPLOY_MEMBER_OF,
            targetRef: 'deploygroup:default/space',
          },
        ],
      },
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    const group = await screen.findByTestId('sled-deployed-versions-group');
    expect(group).toHaveTextContent('Released with deploy group space');
    expect(within(group).getByRole('link', { name: 'space' })).toHaveAttribute(
      'href',
      '/catalog/default/deploygroup/space',
    );
  });

  it('says when the service is in no deploy group', async () => {
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        HttpResponse.json(makeServiceState()),
      ),
    );
    renderSled(<EntitySledDeployedVersionsCard />);
    expect(
      await screen.findByTestId('sled-deployed-versions-group'),
    ).toHaveTextContent('Not in a deploy group: deployed on its own');
  });

  it('shows the backend error message', async () => {
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        errorResponse(503, 'ServiceUnavailableError', 'sled is starting up'),
      ),
    );
    renderSled(<EntitySledDeployedVersionsCard />);
    expect(
      (await screen.findAllByText('sled is starting up')).length,
    ).toBeGreaterThan(0);
  });
});
