import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  DeployExecutor,
  EnvironmentConfig,
  ExecutorDeploys,
} from '@internal/plugin-sled-node';
import { ExecutorRegistry } from './ExecutorRegistry';

const environment = (name: string, executor: string): EnvironmentConfig => ({
  name,
  executor,
  requireReason: false,
  checks: [],
});

function executorOf(kind: string): DeployExecutor {
  return {
    kind,
    start: jest.fn(),
    cancel: jest.fn(),
    recover: jest.fn(),
    shutdown: jest.fn(),
  };
}

const context = (environments: EnvironmentConfig[]) => ({
  environments,
  reporter: { appendLog: jest.fn(), finished: jest.fn() },
  logger: mockServices.logger.mock(),
  deploys: {} as ExecutorDeploys,
});

describe('ExecutorRegistry', () => {
  it('creates the executor of each kind an environment uses, once, with those environments and their settings', async () => {
    const registry = new ExecutorRegistry();
    const createEcho = jest.fn(() => executorOf('echo'));
    const createUnused = jest.fn(() => executorOf('unused'));
    registry.addExecutor({
      kind: 'echo',
      readEnvironment: config => ({ port: config.getNumber('port') }),
      createExecutor: createEcho,
    });
    registry.addExecutor({ kind: 'unused', createExecutor: createUnused });
    const a = environment('a', 'echo');
    const b = environment('b', 'echo');
    registry.readEnvironment(a, new ConfigReader({ port: 1 }), 'e[0]');
    registry.readEnvironment(b, new ConfigReader({ port: 2 }), 'e[1]');

    await registry.createExecutors(context([a, b]));

    expect(createUnused).not.toHaveBeenCalled();
    expect(createEcho).toHaveBeenCalledTimes(1);
    expect((createEcho.mock.calls[0] as any[])[0].environments).toEqual([
      { environment: a, settings: { port: 1 } },
      { environment: b, settings: { port: 2 } },
    ]);
    expect(registry.get('echo')?.kind).toBe('echo');
    expect(registry.get('unused')).toBeUndefined();
    expect(registry.all().map(e => e.kind)).toEqual(['echo']);
  });

  it('refuses an unknown kind naming the registered ones, twice-registered and badly named kinds', () => {
    const registry = new ExecutorRegistry();
    registry.addExecutor({ kind: 'local', createExecutor: jest.fn() });
    registry.addExecutor({ kind: 'echo', createExecutor: jest.fn() });
    expect(() =>
      registry.readEnvironment(
        environment('x', 'ssh'),
        new ConfigReader({}),
        'sled.environments[3]',
      ),
    ).toThrow(
      "Invalid config at sled.environments[3].executor: unknown executor 'ssh', registered: echo, local",
    );
    expect(() =>
      registry.addExecutor({ kind: 'local', createExecutor: jest.fn() }),
    ).toThrow('The local executor is registered twice');
    expect(() =>
      registry.addExecutor({ kind: 'Bad Kind', createExecutor: jest.fn() }),
    ).toThrow(/Executor kind 'Bad Kind' must be lower-case/);
  });

  it('refuses an executor whose kind is not the registered one, and registrations after creation', async () => {
    const registry = new ExecutorRegistry();
    registry.addExecutor({
      kind: 'echo',
      createExecutor: () => executorOf('other'),
    });
    const a = environment('a', 'echo');
    registry.readEnvironment(a, new ConfigReader({}), 'e[0]');
    await expect(registry.createExecutors(context([a]))).rejects.toThrow(
      "The echo executor's registration created an executor of kind 'other'",
    );
    expect(() =>
      registry.addExecutor({ kind: 'late', createExecutor: jest.fn() }),
    ).toThrow('The late executor was added after SLeD created its executors');
  });
});
