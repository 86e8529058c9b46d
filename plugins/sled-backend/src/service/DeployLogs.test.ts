import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseDeployStore } from '../database/DatabaseDeployStore';
import { DeployLogs } from './DeployLogs';

const SVC = 'component:default/svc-a';

describe('DeployLogs', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('stops writing a deploy’s output, and says so, once another backend took the deploy over', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseDeployStore.create({
      database: mockServices.database({ knex }),
    });
    const { artifact } = await store.registerArtifact({
      entityRef: SVC,
      version: '1.0.0',
      commitSha: 'abcdef1',
      image: 'registry.example/svc-a:1.0.0',
    });
    const { deploy } = await store.createDeploy({
      entityRef: SVC,
      environment: 'staging',
      artifact,
      status: 'queued',
      dryRun: false,
      force: false,
      requestedBy: 'user:default/mock',
      launch: { command: ['./deploy.sh'] },
    });
    await store.claimNext(SVC, 'staging', 'runner-a');
    const logger = mockServices.logger.mock();
    const takenOver = jest.fn();
    const logs = new DeployLogs({
      store,
      logger,
      runner: 'runner-a',
      takenOver: { forget: takenOver },
    });
    logs.claimed(deploy.id);

    logs.append(deploy.id, 'one\n');
    await logs.flush(deploy.id);
    expect(await logs.read(deploy.id)).toBe('one\n');

    // runner-a sent no heartbeat for too long: runner-b runs the deploy now
    const runBy = (runner: string) =>
      knex('sled_deploys').where({ id: deploy.id }).update({ runner });
    await runBy('runner-b');
    logs.append(deploy.id, 'two\n');
    await logs.flush(deploy.id);

    expect(await logs.read(deploy.id)).toBe('one\n');
    expect(takenOver).toHaveBeenCalledTimes(1);
    expect(takenOver).toHaveBeenCalledWith(deploy.id);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`Deploy ${deploy.id} is run by another backend`),
    );

    // what still comes is dropped here, without asking the database again
    const appendLog = jest.spyOn(store, 'appendLog');
    const readLog = jest.spyOn(store, 'readLog');
    logs.append(deploy.id, 'two and a half\n');
    await logs.flush(deploy.id);
    expect(appendLog).not.toHaveBeenCalled();
    expect(readLog).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(1);

    // runner-b wrote on; should the deploy come back (runner-b died in turn),
    // this backend's output goes on after what is stored
    await store.appendLog(deploy.id, 1, 'two (runner-b)\n');
    await runBy('runner-a');
    logs.resumed(deploy.id);
    logs.append(deploy.id, 'three\n');
    await logs.close(deploy.id);
    expect(await store.readLog(deploy.id)).toEqual([
      { chunk: 0, text: 'one\n' },
      { chunk: 1, text: 'two (runner-b)\n' },
      { chunk: 2, text: 'three\n' },
    ]);
    expect(takenOver).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.error).not.toHaveBeenCalled();
  });
});
