import { screen, waitFor, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { EntitySledDeployGroupMembersCard } from './EntitySledDeployGroupMembersCard';
import { renderSled } from '../../__testUtils__/renderSled';
import {
  BASE_URL,
  makeService,
  makeServiceState,
} from '../../__testUtils__/fixtures';
import { errorResponse } from '../../__testUtils__/handlers';

const ROCKET = 'component:default/rocket';
const MOON = 'component:default/moon';
const GHOST = 'component:default/ghost';

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'space', namespace: 'default' },
  spec: { owner: 'team-space', members: ['rocket', MOON, GHOST] },
};

function ownedBy(entity: Entity, owner: string): Entity {
  return {
    ...entity,
    relations: [{ type: RELATION_OWNED_BY, targetRef: owner }],
  };
}

const server = setupServer();
registerMswTestHooks(server);

// looked up afresh on every try, never kept across an await
const row = (service: string) =>
  within(
    screen.getByRole('link', { name: service }).closest('tr') as HTMLElement,
  );

describe('EntitySledDeployGroupMembersCard', () => {
  beforeEach(() => {
    server.use(
      http.get(`${BASE_URL}/environments`, () =>
        HttpResponse.json(
          ['staging', 'production'].map(name => ({
            name,
            executor: 'kubernetes',
            requireReason: false,
            locks: [],
          })),
        ),
      ),
      http.get(`${BASE_URL}/state`, ({ request }) => {
        const entityRef = new URL(request.url).searchParams.get('entityRef')!;
        if (entityRef === ROCKET) {
          return HttpResponse.json(makeServiceState(ROCKET));
        }
        if (entityRef === MOON) {
          // deployed nowhere yet
          return HttpResponse.json({
            entityRef,
            environments: [
              {
                environment: 'staging',
                executor: 'kubernetes',
                requireReason: false,
              },
            ],
          });
        }
        return errorResponse(404, 'NotFoundError', `No service ${entityRef}`);
      }),
    );
  });

  it('lists each member with a link to it, its owner and the version it runs in each environment', async () => {
    renderSled(<EntitySledDeployGroupMembersCard />, {
      entity: group,
      catalog: [
        ownedBy(makeService('rocket'), 'group:default/team-rocket'),
        ownedBy(makeService('moon'), 'group:default/team-moon'),
      ],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    await screen.findByText('Members');
    await waitFor(() => expect(row('rocket').getByText('1.2.0')).toBeVisible());

    expect(screen.getByRole('columnheader', { name: 'staging' })).toBeVisible();
    expect(
      screen.getByRole('columnheader', { name: 'production' }),
    ).toBeVisible();
    expect(screen.getByRole('link', { name: 'rocket' })).toHaveAttribute(
      'href',
      '/catalog/default/component/rocket',
    );
    expect(
      row('rocket').getByRole('link', { name: 'team-rocket' }),
    ).toHaveAttribute('href', '/catalog/default/group/team-rocket');
    expect(row('rocket').getByText('1.1.0')).toBeVisible();

    expect(row('moon').getByRole('link', { name: 'team-moon' })).toBeVisible();
    expect(row('moon').getAllByText('—')).toHaveLength(2);

    // not in the catalog, and unknown to sled: still listed, saying so
    expect(row('ghost').getByText('not in the catalog')).toBeVisible();
    expect(row('ghost').getAllByText('—')).toHaveLength(2);
  });

  it('says so when the group has no members', async () => {
    renderSled(<EntitySledDeployGroupMembersCard />, {
      entity: { ...group, spec: { owner: 'team-space', members: [] } },
    });
    expect(
      await screen.findByText('This deploy group has no members.'),
    ).toBeInTheDocument();
  });

  it('shows the backend error message when sled cannot list environments', async () => {
    server.use(
      http.get(`${BASE_URL}/environments`, () =>
        errorResponse(503, 'ServiceUnavailableError', 'sled is starting up'),
      ),
    );
    renderSled(<EntitySledDeployGroupMembersCard />, { entity: group });
    expect(
      (await screen.findAllByText('sled is starting up')).length,
    ).toBeGreaterThan(0);
  });
});
