import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { SledApiService } from './SledApiService';
import { SledService } from './SledService';

/**
 * SLeD for other backend plugins: its REST API through a typed client,
 * authorized as the credentials each call passes.
 *
 * @public
 */
export const sledServiceRef = createServiceRef<SledService>({
  id: 'sled.client',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      factory: ({ discovery, auth }) => new SledApiService({ discovery, auth }),
    }),
});
