import { ReactElement } from 'react';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import {
  mockApis,
  renderInTestApp,
  TestAppOptions,
} from '@backstage/frontend-test-utils';
import { sledApiRef } from '../api/SledApi';
import { SledClient } from '../api/SledClient';
import { makeService } from './fixtures';

/** The permission decision of every request, or one for all of them. */
export type Authorize =
  | AuthorizeResult.ALLOW
  | AuthorizeResult.DENY
  | ((
      request: EvaluatePermissionRequest,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY);

/**
 * Renders a sled component for an entity inside a test app of the new
 * frontend system, talking to the (msw-mocked) backend through a real
 * SledClient.
 *
 * The app renders synchronously; wait for what the test looks for with
 * `findBy*` or `waitFor`.
 */
export function renderSled(
  element: ReactElement,
  options: {
    entity?: Entity;
    /** default: everything allowed */
    authorize?: Authorize;
    /** the app's history; the last entry is where it starts */
    initialRouteEntries?: string[];
    /** e.g. the catalog's entity route, for member links */
    mountedRoutes?: TestAppOptions['mountedRoutes'];
    /** the entities the catalog holds (default: an empty catalog) */
    catalog?: Entity[];
  } = {},
) {
  const client = new SledClient({
    discoveryApi: mockApis.discovery(),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? makeService()}>
      {element}
    </EntityProvider>,
    {
      initialRouteEntries: options.initialRouteEntries,
      mountedRoutes: options.mountedRoutes,
      apis: [
        [sledApiRef, client],
        catalogApiMock({ entities: options.catalog ?? [] }),
        mockApis.permission({
          authorize: options.authorize ?? AuthorizeResult.ALLOW,
        }),
      ],
    },
  );
}
