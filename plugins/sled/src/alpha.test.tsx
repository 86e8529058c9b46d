import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { ApiBlueprint, coreApis } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import sledPlugin, {
  sledApi,
  sledDeployedVersionsEntityCard,
  sledDeployGroupMembersEntityCard,
} from './alpha';
import { sledApiRef } from './api/SledApi';
import { SledClient } from './api/SledClient';
import { EntitySledHistoryContent } from './components/HistoryContent/EntitySledHistoryContent';
import {
  BASE_URL,
  makeDeploy,
  makeService,
  makeServiceState,
} from './__testUtils__/fixtures';
import { approvalsHandler } from './__testUtils__/handlers';

const server = setupServer();
registerMswTestHooks(server);

describe('sled on the new frontend system', () => {
  it('provides the sled API from the core discovery and fetch APIs', async () => {
    const factory = createExtensionTester(sledApi).get(
      ApiBlueprint.dataRefs.factory,
    );
    expect(factory.api).toBe(sledApiRef);
    expect(factory.deps).toEqual({
      discoveryApi: coreApis.discovery,
      fetchApi: coreApis.fetch,
    });

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
    );
    const client = await factory.factory({
      discoveryApi: mockApis.discovery(),
      fetchApi: {
        fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      },
    });
    expect(client).toBeInstanceOf(SledClient);
    await expect(
      (client as SledClient).listEnvironments(),
    ).resolves.toMatchObject([{ name: 'staging' }]);
  });

  it('installs the API, the entity tabs, the card and the search result item', () => {
    expect(sledPlugin.pluginId).toBe('sled');
    for (const id of [
      'api:sled',
      'entity-content:sled/deploy',
      'entity-content:sled/history',
      'entity-content:sled/artifacts',
      'entity-content:sled/release',
      'entity-card:sled/deployed-versions',
      'entity-card:sled/deploy-group-members',
      'search-result-list-item:sled/deploy',
    ]) {
      expect(sledPlugin.getExtension(id as any)).toBeDefined();
    }
  });

  describe('overview cards', () => {
    const group: Entity = {
      apiVersion: 'sled.dev/v1alpha1',
      kind: 'DeployGroup',
      metadata: { name: 'space', namespace: 'default' },
      spec: { owner: 'team-space', members: [] },
    };
    function renderOverview(entity: Entity) {
      server.use(
        http.get(`${BASE_URL}/environments`, () => HttpResponse.json([])),
        http.get(`${BASE_URL}/state`, () =>
          HttpResponse.json(makeServiceState()),
        ),
      );
      const client = new SledClient({
        discoveryApi: mockApis.discovery(),
        fetchApi: { fetch: (input, init) => fetch(input, init) },
      });
      renderTestApp({
        extensions: [
          createTestEntityPage({ entity }),
          sledDeployedVersionsEntityCard,
          sledDeployGroupMembersEntityCard,
        ],
        apis: [
          [sledApiRef, client],
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ],
      });
    }

    it("shows the members card on a deploy group's overview, not the deployed versions", async () => {
      renderOverview(group);
      expect(
        await screen.findByText('This deploy group has no members.'),
      ).toBeInTheDocument();
      expect(screen.getByText('Members')).toBeInTheDocument();
      expect(screen.queryByText('Deployed versions')).toBeNull();
    });

    it("shows the deployed versions on a service's overview, not the members card", async () => {
      renderOverview(makeService());
      expect(await screen.findByText('Deployed versions')).toBeInTheDocument();
      await screen.findByText('staging');
      expect(screen.queryByText('Members')).toBeNull();
    });
  });

  it('opens the deploy named in the query and closes it through app history', async () => {
    const deploy = makeDeploy({ id: 'd5', artifactVersion: '2.995.0' });
    server.use(
      approvalsHandler(),
      http.get(`${BASE_URL}/environments`, () => HttpResponse.json([])),
      http.get(`${BASE_URL}/deploys`, () =>
        HttpResponse.json({ items: [deploy] }),
      ),
      http.get(`${BASE_URL}/deploys/:id`, () => HttpResponse.json(deploy)),
      http.get(`${BASE_URL}/deploys/:id/logs`, () =>
        HttpResponse.text('all done\n'),
      ),
    );
    const client = new SledClient({
      discoveryApi: mockApis.discovery(),
      fetchApi: { fetch: (input, init) => fetch(input, init) },
    });

    const { apis } = renderInTestApp(
      <EntityProvider entity={makeService()}>
        <EntitySledHistoryContent />
      </EntityProvider>,
      {
        initialRouteEntries: ['/?deploy=d5'],
        apis: [
          [sledApiRef, client],
          mockApis.permission({ authorize: AuthorizeResult.ALLOW }),
        ],
      },
    );

    // looked up afresh, never kept across an await
    const dialog = () => within(screen.getByRole('dialog'));
    await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        dialog().getByText(`Deploy of 2.995.0 to ${deploy.environment}`),
      ).toBeInTheDocument(),
    );

    await userEvent.click(dialog().getByRole('button', { name: /close/i }));
    const history = apis.get(coreApis.appHistory)!;
    await waitFor(() => expect(history.getSnapshot().location.search).toBe(''));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
