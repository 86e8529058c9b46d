import { createRouteRef } from '@backstage/core-plugin-api';

export const deployContentRouteRef = createRouteRef({ id: 'sled:deploy' });
export const historyContentRouteRef = createRouteRef({ id: 'sled:history' });
export const artifactsContentRouteRef = createRouteRef({
  id: 'sled:artifacts',
});
