import { screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { coreApis } from '@backstage/frontend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
// Deliberately the legacy test utilities: these are the exports for apps on the
// legacy frontend system (`createPlugin`, `createComponentExtension`), and only
// `@backstage/test-utils` renders in such an app (core-app-api's
// `createSpecializedApp`, the legacy API registry and routing). Every other
// test renders in a new frontend system app with `@backstage/frontend-test-utils`.
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntitySledDeployedVersionsCard,
  EntitySledDeployGroupMembersCard,
  sledPlugin,
} from './index';
import { sledApiRef } from './api/SledApi';
import { SledClient } from './api/SledClient';
import {
  BASE_URL,
  makeService,
  makeServiceState,
} from './__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

/** The exports for apps on the legacy frontend system (`@backstage/app-defaults`). */
describe('sled on the legacy frontend system', () => {
  it('registers the sled API factory on the core discovery and fetch APIs', () => {
    expect(sledPlugin.getId()).toBe('sled');
    const factories = [...sledPlugin.getApis()];
    expect(factories).toHaveLength(1);
    expect(factories[0].api).toBe(sledApiRef);
    expect(factories[0].deps).toEqual({
      discoveryApi: coreApis.discovery,
      fetchApi: coreApis.fetch,
    });
  });

  it('renders the lazily loaded deployed-versions card extension', async () => {
    server.use(
      http.get(`${BASE_URL}/state`, () =>
        HttpResponse.json(makeServiceState()),
      ),
    );
    const client = new SledClient({
      discoveryApi: mockApis.discovery(),
      fetchApi: { fetch: (input, init) => fetch(input, init) },
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [sledApiRef, client],
          [
            permissionApiRef,
            mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
          ],
        ]}
      >
        <EntityProvider entity={makeService()}>
          <EntitySledDeployedVersionsCard />
        </EntityProvider>
      </TestApiProvider>,
    );
    await screen.findByText('Deployed versions');
    const staging = within(screen.getByText('staging').closest('tr')!);
    expect(staging.getByText('1.2.0')).toBeInTheDocument();
  });

  it('renders the lazily loaded deploy group members card extension', async () => {
    server.use(
      http.get(`${BASE_URL}/environments`, () =>
        HttpResponse.json([
          {
            name: 'staging',
            executor: 'local',
            requireReason: false,
            locks: [],
          },
        ]),
      ),
      http.get(`${BASE_URL}/state`, () =>
        HttpResponse.json(makeServiceState()),
      ),
    );
    const client = new SledClient({
      discoveryApi: mockApis.discovery(),
      fetchApi: { fetch: (input, init) => fetch(input, init) },
    });
    const group: Entity = {
      apiVersion: 'sled.dev/v1alpha1',
      kind: 'DeployGroup',
      metadata: { name: 'space', namespace: 'default' },
      spec: { owner: 'team-space', members: ['rocket'] },
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [sledApiRef, client],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [
                {
                  ...makeService(),
                  relations: [
                    { type: 'ownedBy', targetRef: 'group:default/team-a' },
                  ],
                },
              ],
            }),
          ],
        ]}
      >
        <EntityProvider entity={group}>
          <EntitySledDeployGroupMembersCard />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    await screen.findByText('Members');
    const rocket = () =>
      within(screen.getByRole('link', { name: 'rocket' }).closest('tr')!);
    expect(await rocket().findByText('1.2.0')).toBeInTheDocument();
    expect(rocket().getByRole('link', { name: 'team-a' })).toBeInTheDocument();
  });
});
