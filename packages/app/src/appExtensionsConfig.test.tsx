import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import { JsonArray } from '@backstage/types';
import { coreApis } from '@backstage/frontend-plugin-api';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { SledApi } from '@internal/plugin-sled';
import sledPlugin, { sledApiRef } from '@internal/plugin-sled/alpha';
import { SLED_ANNOTATION_DEPLOY_COMMAND } from '@internal/plugin-sled-common';
// the repository's own app-config.yaml is what this test checks; the Backstage
// CLI's jest YAML transform parses it
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import appConfigYaml from '../../../app-config.yaml';

/** The app's own `app.extensions`, as `yarn start` and the production build read them. */
const { extensions } = (
  appConfigYaml as unknown as {
    app: { extensions: JsonArray };
  }
).app;

const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'rocket',
    namespace: 'default',
    annotations: { [SLED_ANNOTATION_DEPLOY_COMMAND]: './deploy.sh' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/team-a',
    lifecycle: 'production',
  },
};

/** The catalog and sled plugins in an app with app-config.yaml's `app.extensions`. */
function renderApp(path: string) {
  return renderTestApp({
    features: [catalogPlugin, sledPlugin],
    config: {
      app: { baseUrl: 'http://localhost:3000', extensions },
      backend: { baseUrl: 'http://localhost:7007' },
    },
    initialRouteEntries: [path],
    apis: [
      catalogApiMock({ entities: [service] }),
      // the overview's cards wait for sled for as long as the test runs
      [
        sledApiRef,
        { getServiceState: () => new Promise(() => {}) } as Partial<SledApi>,
      ],
      mockApis.permission(),
    ],
  });
}

// the catalog's table renders its rows more than once: look the link up afresh
const serviceLink = () => screen.getByRole('link', { name: 'rocket' });
const ROCKET_PAGE = '/catalog/default/component/rocket';

describe("app-config.yaml's app.extensions", () => {
  it('serves the catalog at /catalog', async () => {
    renderApp('/catalog');
    await waitFor(() =>
      expect(serviceLink()).toHaveAttribute('href', ROCKET_PAGE),
    );
  });

  it('redirects / to the catalog', async () => {
    const { apis } = renderApp('/');
    const history = apis.get(coreApis.appHistory)!;
    await waitFor(() =>
      expect(history.getSnapshot().location.pathname).toBe('/catalog'),
    );
    await waitFor(() =>
      expect(serviceLink()).toHaveAttribute('href', ROCKET_PAGE),
    );
  });

  it("lists a service's Deployment tabs as Deploy, History, Artifacts", async () => {
    renderApp(ROCKET_PAGE);
    await userEvent.click(await screen.findByText('Deployment'));
    await waitFor(() =>
      expect(
        screen.getAllByRole('menuitemradio').map(item => item.textContent),
      ).toEqual(['Deploy', 'History', 'Artifacts']),
    );
  });
});
