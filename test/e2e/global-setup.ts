import { request } from '@playwright/test';
import { BACKEND } from './helpers';

/**
 * On a fresh database the catalog reads catalog/ in the background after
 * start-up, and then the example data is registered; wait until the example
 * services are there (with their owner relations) and have their example
 * history before any journey starts.
 */
export default async function globalSetup() {
  const api = await request.newContext();
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const refresh = await api.get(`${BACKEND}/api/auth/guest/refresh`, {
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      if (refresh.ok()) {
        const token = (await refresh.json()).backstageIdentity.token;
        const headers = { Authorization: `Bearer ${token}` };
        const names = [
          'payments',
          'checkout',
          'cart',
          'ledger',
          'search-api',
          'recommendations',
          'notifications',
        ];
        const found = await Promise.all(
          names.map(async name => {
            const res = await api.get(
              `${BACKEND}/api/catalog/entities/by-name/component/default/${name}`,
              { headers },
            );
            return (
              res.ok() &&
              ((await res.json()).relations ?? []).some(
                (r: any) => r.type === 'ownedBy',
              )
            );
          }),
        );
        // and the example data (sled.development.exampleData) is registered
        const payments = await api.get(
          `${BACKEND}/api/sled/deploys?entityRef=component:default/payments&limit=1`,
          { headers },
        );
        const examples = payments.ok() && (await payments.json()).items.length;
        if (found.every(Boolean) && examples) break;
      }
    } catch {
      // the backend is still starting
    }
    if (Date.now() > deadline)
      throw new Error(
        'The example catalog and data did not load within 3 minutes',
      );
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  await api.dispose();
}
