import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { DatabaseApprovalStore } from './DatabaseApprovalStore';
import { DatabaseArtifactCheckStore } from './DatabaseArtifactCheckStore';
import { DatabaseArtifactStore } from './DatabaseArtifactStore';
import { DatabaseDeployLogStore } from './DatabaseDeployLogStore';
import { DatabaseDeployQueue } from './DatabaseDeployQueue';
import { DatabaseLockStore } from './DatabaseLockStore';
import { DatabasePromotionLedger } from './DatabasePromotionLedger';
import { DatabaseRunnerStore } from './DatabaseRunnerStore';
import { DeployStores } from './DeployStore';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-sled-backend',
  'migrations',
);

/**
 * The Knex stores of artifacts, the deploy queue, runners, logs and locks,
 * sharing the plugin's one client. Prepares that client once: SQLite's
 * journal settings, and the plugin's migrations unless they are skipped.
 */
export async function createDeployStores(options: {
  database: DatabaseService;
  skipMigrations?: boolean;
}): Promise<DeployStores> {
  const client = await options.database.getClient();
  if (client.client.config.client === 'better-sqlite3') {
    // Each deploy is several small writes; with the default rollback journal
    // every one waits for an fsync while blocking the event loop. WAL keeps
    // committed deploys across a crash of the backend.
    await client.raw('PRAGMA journal_mode = WAL');
    await client.raw('PRAGMA synchronous = NORMAL');
  }
  if (!options.database.migrations?.skip && !options.skipMigrations) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return {
    artifacts: DatabaseArtifactStore.create(client),
    queue: DatabaseDeployQueue.create(client),
    runners: DatabaseRunnerStore.create(client),
    logs: DatabaseDeployLogStore.create(client),
    locks: DatabaseLockStore.create(client),
    approvals: DatabaseApprovalStore.create(client),
    releaseApprovals: DatabaseApprovalStore.forReleases(client),
    artifactChecks: DatabaseArtifactCheckStore.create(client),
    promotions: DatabasePromotionLedger.create(client),
  };
}
