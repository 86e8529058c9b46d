import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { versionOrderKey } from './versionOrderKey';

jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@internal/plugin-sled-backend',
  'migrations',
);
const BEFORE = '20261208000000_release_gates.js';

describe('migration 20261208030000_artifact_version_order', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'gives earlier artifacts the key versionOrderKey gives on %p',
    async databaseId => {
      const knex: Knex = await databases.init(databaseId);
      for (;;) {
        const [, pending] = await knex.migrate.list({ directory });
        const next = pending[0]?.file;
        if (!next) throw new Error(`no migration ${BEFORE}`);
        await knex.migrate.up({ directory });
        if (next === BEFORE) break;
      }
      const versions = [
        '1.4.2',
        'v1.4.10',
        '1.5.0-rc.2',
        '2024-12-01',
        'build-0099+sha.ab12',
        'a1b2c3d',
      ];
      await knex('sled_artifacts').insert(
        versions.map((version, i) => ({
          id: `a${i}`,
          entity_ref: 'component:default/svc',
          version,
          spec: '{}',
          content_hash: `h${i}`,
          created_at: new Date('2026-12-08T10:00:00.000Z'),
        })),
      );
      await knex.migrate.latest({ directory });
      const rows = await knex('sled_artifacts')
        .orderBy('seq')
        .select('version', 'version_key');
      expect(rows).toEqual(
        versions.map(version => ({
          version,
          version_key: versionOrderKey(version),
        })),
      );
    },
  );
});
