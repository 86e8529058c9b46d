import { screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { coreApis } from '@backstage/frontend-plugin-api';
import { registerMswTestHooks } from '@backstage/test-utils';
import { EntitySledDeployedVersionsCard, sledPlugin } from './index';
import { sledApiRef } from './api/SledApi';
import { renderSled } from './__testUtils__/renderSled';
import { BASE_URL, makeServiceState } from './__testUtils__/fixtures';

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
    await renderSled(<EntitySledDeployedVersionsCard />);
    await screen.findByText('Deployed versions');
    const staging = within(screen.getByText('staging').closest('tr')!);
    expect(staging.getByText('1.2.0')).toBeInTheDocument();
  });
});
