import { ReactElement } from 'react';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
  TestAppOptions,
} from '@backstage/test-utils';
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
 * Renders a sled component for an entity inside a test app, talking to the
 * (msw-mocked) backend through a real SledClient.
 */
export function renderSled(
  element: ReactElement,
  options: {
    entity?: Entity;
    /** default: everything allowed */
    authorize?: Authorize;
    routeEntries?: string[];
    /** e.g. the catalog's entity route, for member links */
    mountedRoutes?: TestAppOptions['mountedRoutes'];
  } = {},
) {
  const client = new SledClient({
    discoveryApi: mockApis.discovery(),
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [sledApiRef, client],
        [
          permissionApiRef,
          mockApis.permission({
            authorize: options.authorize ?? AuthorizeResult.ALLOW,
          }),
        ],
      ]}
    >
      <EntityProvider entity={options.entity ?? makeService()}>
        {element}
      </EntityProvider>
    </TestApiProvider>,
    {
      routeEntries: options.routeEntries,
      mountedRoutes: options.mountedRoutes,
    },
  );
}
