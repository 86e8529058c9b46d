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
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import sledPlugin, { sledApi } from './alpha';
import { sledApiRef } from './api/SledApi';
import { SledClient } from './api/SledClient';
import { EntitySledHistoryContent } from './components/HistoryContent/EntitySledHistoryContent';
import { BASE_URL, makeDeploy, makeService } from './__testUtils__/fixtures';

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
      'search-result-list-item:sled/deploy',
    ]) {
      expect(sledPlugin.getExtension(id as any)).toBeDefined();
    }
  });

  it('opens the deploy named in the query and closes it through app history', async () => {
    const deploy = makeDeploy({ id: 'd5', artifactVersion: '2.995.0' });
    server.use(
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
