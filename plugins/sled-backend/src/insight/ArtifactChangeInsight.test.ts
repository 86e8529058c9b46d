import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Artifact } from '@internal/plugin-sled-common';
import { Knex } from 'knex';
import { createDeployStores } from '../database/createDeployStores';
import { DatabaseArtifactChangeStore } from '../database/DatabaseArtifactChangeStore';
import { DeployStores } from '../database/DeployStore';
import { ArtifactChangeInsight } from './ArtifactChangeInsight';

jest.setTimeout(60_000);

const SVC = 'component:default/payments';
const OTHER = 'component:default/ledger';
/** the fixed clock of the deploys' history */
const T0 = Date.parse('2026-12-08T10:00:00.000Z');
const MIN = 60_000;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'ArtifactChangeInsight on %p',
  id => {
    let knex: Knex;
    let stores: DeployStores;
    let insight: ArtifactChangeInsight;
    let artifacts: Record<string, Artifact>;
    let minute: number;

    async function register(version: string, entityRef = SVC) {
      const mr = Number(version.replace(/\D/g, '').slice(-3) || '0');
      const { artifact } = await stores.artifacts.registerArtifact({
        entityRef,
        version,
        commitSha: `${version.replace(/[^0-9a-f]/g, '')}abcdef0`.slice(0, 12),
        mergeRequest: {
          url: `https://git.example.com/payments/-/merge_requests/${mr}`,
          title: `Change of ${version}`,
          mergedAt: new Date(T0 - 60 * MIN).toISOString(),
        },
      });
      artifacts[version] = artifact;
      return artifact;
    }

    async function deployed(
      version: string,
      environment = 'staging',
      status: 'succeeded' | 'failed' = 'succeeded',
    ) {
      minute += 1;
      return stores.queue.recordPastDeploy({
        entityRef: SVC,
        environment,
        artifact: artifacts[version],
        status,
        requestedBy: 'user:default/ada',
        launch: { command: ['./deploy.sh'] },
        createdAt: new Date(T0 + minute * MIN),
        finishedAt: new Date(T0 + minute * MIN + 30_000),
        log: '',
      });
    }

    const changes = (
      version: string,
      options: { environment?: string; deployId?: string; limit?: number } = {},
    ) =>
      insight.describe({
        candidate: artifacts[version],
        environment: options.environment ?? 'staging',
        deployId: options.deployId,
        limit: options.limit ?? 50,
      });

    const versions = (answer: { artifacts: Array<{ version: string }> }) =>
      answer.artifacts.map(a => a.version);

    beforeEach(async () => {
      knex = await databases.init(id);
      stores = await createDeployStores({
        database: mockServices.database({ knex }),
      });
      insight = new ArtifactChangeInsight({
        changes: DatabaseArtifactChangeStore.create(knex),
        artifacts: stores.artifacts,
        deploys: stores.queue,
      });
      artifacts = {};
      minute = 0;
    });

    it('changes between artifacts across registrations out of order', async () => {
      // CI registered 1.4.2 before 1.4.1, and 1.4.10 before 1.4.9
      for (const version of ['1.4.0', '1.4.2', '1.4.1', '1.4.10', '1.4.9']) {
        await register(version);
      }
      await deployed('1.4.0');

      const forward = await changes('1.4.2');
      expect(forward.direction).toBe('forward');
      expect(forward.current?.version).toBe('1.4.0');
      expect(forward.candidate.version).toBe('1.4.2');
      expect(versions(forward)).toEqual(['1.4.2', '1.4.1']);
      expect(forward.total).toBe(2);
      expect(forward.mergeRequests).toEqual([
        {
          url: 'https://git.example.com/payments/-/merge_requests/142',
          title: 'Change of 1.4.2',
          mergedAt: '2026-12-08T09:00:00.000Z',
          artifactId: artifacts['1.4.2'].id,
          version: '1.4.2',
        },
        expect.objectContaining({ title: 'Change of 1.4.1', version: '1.4.1' }),
      ]);
      expect(forward.commits).toEqual([
        artifacts['1.4.2'].commitSha,
        artifacts['1.4.1'].commitSha,
      ]);

      // numbers compare as numbers: 1.4.9 comes before 1.4.10
      expect(versions(await changes('1.4.10'))).toEqual([
        '1.4.10',
        '1.4.9',
        '1.4.2',
        '1.4.1',
      ]);
      expect(versions(await changes('1.4.9'))).toEqual([
        '1.4.9',
        '1.4.2',
        '1.4.1',
      ]);
    });

    it('lists what a rollback takes back, the running artifact included', async () => {
      for (const version of ['1.4.3', '1.4.1', '1.4.0', '1.4.2']) {
        await register(version);
      }
      await deployed('1.4.0');
      await deployed('1.4.3');

      const rollback = await changes('1.4.1');
      expect(rollback.direction).toBe('rollback');
      expect(rollback.current?.version).toBe('1.4.3');
      expect(versions(rollback)).toEqual(['1.4.3', '1.4.2']);
      expect(rollback.mergeRequests.map(mr => mr.version)).toEqual([
        '1.4.3',
        '1.4.2',
      ]);
    });

    it('answers same for what runs, and initial where nothing ran', async () => {
      await register('2.0.0');
      await register('1.9.0');
      await deployed('2.0.0');
      const same = await changes('2.0.0');
      expect(same).toMatchObject({
        direction: 'same',
        total: 0,
        artifacts: [],
      });
      expect(same.mergeRequests).toEqual([]);

      const initial = await changes('2.0.0', { environment: 'production' });
      expect(initial.direction).toBe('initial');
      expect(initial.current).toBeUndefined();
      expect(versions(initial)).toEqual(['2.0.0', '1.9.0']);
    });

    it('compares with the latest succeeded deploy, not a later failed one', async () => {
      for (const version of ['1.0.0', '1.1.0', '1.2.0'])
        await register(version);
      await deployed('1.0.0');
      await deployed('1.1.0', 'staging', 'failed');
      const answer = await changes('1.2.0');
      expect(answer.current?.version).toBe('1.0.0');
      expect(versions(answer)).toEqual(['1.2.0', '1.1.0']);
    });

    it('orders pre-releases before their release and ignores a leading v', async () => {
      for (const version of ['v1.5.0', '1.5.0-rc.10', '1.4.0', '1.5.0-rc.2']) {
        await register(version);
      }
      await deployed('1.4.0');
      expect(versions(await changes('v1.5.0'))).toEqual([
        'v1.5.0',
        '1.5.0-rc.10',
        '1.5.0-rc.2',
      ]);
      expect(versions(await changes('1.5.0-rc.2'))).toEqual(['1.5.0-rc.2']);
    });

    it('falls back to registration order between equal versions', async () => {
      for (const version of ['1.4.1', '1.4.0', 'v1.4.0'])
        await register(version);
      await deployed('1.4.0');
      expect(versions(await changes('1.4.1'))).toEqual(['1.4.1', 'v1.4.0']);
      const equal = await changes('v1.4.0');
      expect(equal.direction).toBe('forward');
      expect(versions(equal)).toEqual(['v1.4.0']);
    });

    it('keeps to the service and counts past the limit', async () => {
      for (let minor = 0; minor <= 12; minor += 1)
        await register(`3.${minor}.0`);
      await register('3.5.5', OTHER);
      await deployed('3.0.0');
      const answer = await changes('3.12.0', { limit: 5 });
      expect(answer.total).toBe(12);
      expect(versions(answer)).toEqual([
        '3.12.0',
        '3.11.0',
        '3.10.0',
        '3.9.0',
        '3.8.0',
      ]);
    });

    it('answers a past deploy against what ran before it', async () => {
      for (const version of ['1.0.0', '1.1.0', '1.2.0', '1.3.0']) {
        await register(version);
      }
      await deployed('1.0.0');
      const deploy = await deployed('1.2.0');
      await deployed('1.3.0');

      const past = await changes('1.2.0', { deployId: deploy.id });
      expect(past.direction).toBe('forward');
      expect(past.current?.version).toBe('1.0.0');
      expect(versions(past)).toEqual(['1.2.0', '1.1.0']);
      // against what runs now, 1.2.0 would take 1.3.0 back
      expect(versions(await changes('1.2.0'))).toEqual(['1.3.0']);

      await expect(changes('1.1.0', { deployId: deploy.id })).rejects.toThrow(
        /^deployId: no deploy/,
      );
      await expect(
        changes('1.2.0', { deployId: deploy.id, environment: 'production' }),
      ).rejects.toThrow(/^deployId: no deploy/);
    });
  },
);
