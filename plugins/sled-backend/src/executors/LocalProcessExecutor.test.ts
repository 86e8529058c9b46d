import { mockServices } from '@backstage/backend-test-utils';
import { Artifact, Deploy } from '@internal/plugin-sled-common';
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { randomUUID } from 'crypto';
import {
  eventually,
  isAlive,
  liveProcessesInGroup,
  makeTempDir,
  writeScript,
} from '../__testUtils__/processes';
import {
  DeployJob,
  DeployOutcome,
  DeployReporter,
} from '@internal/plugin-sled-node';
import { LocalProcessExecutor } from './LocalProcessExecutor';

jest.setTimeout(30_000);

/** Collects what the executor reports, per deploy. */
class RecordingReporter implements DeployReporter {
  readonly logs = new Map<string, string>();
  readonly outcomes = new Map<string, DeployOutcome[]>();
  private readonly waiters = new Map<
    string,
    Array<(o: DeployOutcome) => void>
  >();

  appendLog(deployId: string, text: string) {
    this.logs.set(deployId, (this.logs.get(deployId) ?? '') + text);
  }

  async finished(deployId: string, outcome: DeployOutcome) {
    this.outcomes.set(deployId, [
      ...(this.outcomes.get(deployId) ?? []),
      outcome,
    ]);
    for (const resolve of this.waiters.get(deployId) ?? []) resolve(outcome);
    this.waiters.delete(deployId);
  }

  outcome(deployId: string): Promise<DeployOutcome> {
    const done = this.outcomes.get(deployId);
    if (done) return Promise.resolve(done[0]);
    return new Promise(resolve => {
      this.waiters.set(deployId, [
        ...(this.waiters.get(deployId) ?? []),
        resolve,
      ]);
    });
  }

  log(deployId: string) {
    return this.logs.get(deployId) ?? '';
  }
}

describe('LocalProcessExecutor', () => {
  let dir: string;
  let cleanup: () => void;
  let reporter: RecordingReporter;
  let executor: LocalProcessExecutor;

  const makeExecutor = (timeoutSeconds = 60) =>
    new LocalProcessExecutor({
      reporter,
      logger: mockServices.logger.mock(),
      timeoutSeconds,
    });

  function job(
    command: string[],
    options: { dryRun?: boolean; workingDirectory?: string } = {},
  ): DeployJob {
    const artifact: Artifact = {
      id: randomUUID(),
      entityRef: 'component:default/svc-a',
      version: '1.2.3',
      image: 'registry.example/svc-a@sha256:abc',
      commitSha: 'abcdef1234567',
      createdAt: new Date().toISOString(),
    };
    const deploy: Deploy = {
      id: randomUUID(),
      entityRef: artifact.entityRef,
      environment: 'local',
      artifactId: artifact.id,
      artifactVersion: artifact.version,
      status: 'running',
      dryRun: Boolean(options.dryRun),
      force: false,
      requestedBy: 'user:default/mock',
      createdAt: new Date().toISOString(),
    };
    return {
      deploy,
      artifact,
      environment: {
        name: 'local',
        executor: 'local',
        requireReason: false,
        checks: [],
      },
      launch: { command, workingDirectory: options.workingDirectory ?? dir },
    };
  }

  const pidOf = (handle: string | undefined) =>
    Number(handle?.replace(/^pid:/, ''));

  beforeEach(() => {
    ({ dir, cleanup } = makeTempDir('sled-exec-'));
    reporter = new RecordingReporter();
    executor = makeExecutor();
  });

  afterEach(async () => {
    await executor.shutdown();
    cleanup();
  });

  it('runs the command without a shell, with the deploy contract in its environment', async () => {
    const script = writeScript(
      dir,
      'deploy.sh',
      [
        'echo "cwd=$(pwd)"',
        'env | grep "^SLED_" | sort',
        'echo "secret=${SLED_TEST_BACKEND_SECRET:-absent}"',
        'for a in "$@"; do echo "arg=$a"; done',
        'echo "to stderr" >&2',
      ].join('\n'),
    );
    process.env.SLED_TEST_BACKEND_SECRET = 'leaked';
    try {
      const j = job([
        script,
        '$(touch pwned)',
        '`touch pwned2`',
        'a b; touch pwned3',
      ]);
      const execution = await executor.start(j);
      expect(execution.executor).toBe('local');
      expect(pidOf(execution.handle)).toBeGreaterThan(0);

      expect(await reporter.outcome(j.deploy.id)).toEqual({
        status: 'succeeded',
        exitCode: 0,
      });
      const log = reporter.log(j.deploy.id);
      expect(log).toContain(`cwd=${dir}`);
      expect(log).toContain(`SLED_DEPLOY_ID=${j.deploy.id}`);
      expect(log).toContain('SLED_SERVICE=component:default/svc-a');
      expect(log).toContain('SLED_ENVIRONMENT=local');
      expect(log).toContain(`SLED_ARTIFACT_ID=${j.artifact.id}`);
      expect(log).toContain('SLED_ARTIFACT_VERSION=1.2.3');
      expect(log).toContain(
        'SLED_ARTIFACT_IMAGE=registry.example/svc-a@sha256:abc',
      );
      expect(log).toContain('SLED_COMMIT_SHA=abcdef1234567');
      expect(log).toContain('SLED_DRY_RUN=0');
      expect(log).toContain('secret=absent');
      expect(log).toContain('to stderr');
      // arguments arrive literally, one each, and nothing was interpolated
      expect(log.split('\n').filter(l => l.startsWith('arg='))).toEqual([
        'arg=$(touch pwned)',
        'arg=`touch pwned2`',
        'arg=a b; touch pwned3',
      ]);
      expect(log).not.toContain('--dry-run');
      expect(fs.readdirSync(dir).sort()).toEqual(['deploy.sh']);
      expect(reporter.outcomes.get(j.deploy.id)).toHaveLength(1);
    } finally {
      delete process.env.SLED_TEST_BACKEND_SECRET;
    }
  });

  it('forgets a deploy another backend took over: stops its process group and reports nothing more', async () => {
    const script = writeScript(
      dir,
      'deploy.sh',
      'sleep 60 &\nwhile true; do echo tick; sleep 0.05; done',
    );
    const j = job([script]);
    const pid = pidOf((await executor.start(j)).handle);
    await eventually(() => expect(reporter.log(j.deploy.id)).toContain('tick'));

    executor.forget(j.deploy.id);
    const logWhenForgotten = reporter.log(j.deploy.id);
    await eventually(() => expect(liveProcessesInGroup(pid)).toEqual([]));
    // nothing left here to cancel either
    await executor.cancel(j.deploy);
    expect(reporter.outcomes.get(j.deploy.id)).toBeUndefined();
    expect(reporter.log(j.deploy.id)).toBe(logWhenForgotten);
  });

  it('passes --dry-run and SLED_DRY_RUN=1 for dry runs', async () => {
    const script = writeScript(
      dir,
      'deploy.sh',
      'echo "dry=$SLED_DRY_RUN"; for a in "$@"; do echo "arg=$a"; done',
    );
    const j = job([script, 'first'], { dryRun: true });
    await executor.start(j);
    expect(await reporter.outcome(j.deploy.id)).toMatchObject({
      status: 'succeeded',
    });
    const log = reporter.log(j.deploy.id);
    expect(log).toContain('dry=1');
    expect(log.split('\n').filter(l => l.startsWith('arg='))).toEqual([
      'arg=first',
      'arg=--dry-run',
    ]);
  });

  it('fails with the exit code named', async () => {
    const script = writeScript(
      dir,
      'deploy.sh',
      'echo "rolling out"; echo "kaboom" >&2; exit 3',
    );
    const j = job([script]);
    await executor.start(j);
    const outcome = await reporter.outcome(j.deploy.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBe(3);
    expect(outcome.message).toMatch(/code 3/);
    expect(reporter.log(j.deploy.id)).toContain('rolling out');
    expect(reporter.log(j.deploy.id)).toContain('kaboom');
  });

  it('fails when the command cannot be started', async () => {
    const missing = path.join(dir, 'no-such-deploy-script');
    const j = job([missing, '--flag']);
    await executor.start(j);
    const outcome = await reporter.outcome(j.deploy.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(missing);
    expect(outcome.message).toMatch(/ENOENT/);
    expect(reporter.log(j.deploy.id)).toContain('could not start');

    // a file that is not executable
    fs.writeFileSync(path.join(dir, 'not-exec.sh'), 'echo hi\n', {
      mode: 0o644,
    });
    const k = job([path.join(dir, 'not-exec.sh')]);
    await executor.start(k);
    expect(await reporter.outcome(k.deploy.id)).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/EACCES/),
    });

    // let any late events arrive: the outcome is reported once
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(reporter.outcomes.get(j.deploy.id)).toHaveLength(1);
    expect(reporter.outcomes.get(k.deploy.id)).toHaveLength(1);
  });

  it('times out, failing the deploy and stopping its whole process group', async () => {
    // long enough for the script to write child.pid on a busy machine
    executor = makeExecutor(3);
    const script = writeScript(
      dir,
      'deploy.sh',
      'sleep 30 &\necho $! > child.pid\nsleep 30',
    );
    const j = job([script]);
    const execution = await executor.start(j);
    const pgid = pidOf(execution.handle);
    await eventually(() =>
      expect(fs.existsSync(path.join(dir, 'child.pid'))).toBe(true),
    );
    const child = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));

    const outcome = await reporter.outcome(j.deploy.id);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/Timed out after 3 s/);
    await eventually(() => expect(liveProcessesInGroup(pgid)).toEqual([]));
    expect(isAlive(child)).toBe(false);
  });

  it('cancels a running deploy, killing the children of the script too', async () => {
    const script = writeScript(
      dir,
      'deploy.sh',
      'sleep 30 &\necho $! > child.pid\necho started\nwait',
    );
    const j = job([script]);
    const execution = await executor.start(j);
    const pgid = pidOf(execution.handle);
    await eventually(() =>
      expect(reporter.log(j.deploy.id)).toContain('started'),
    );
    const child = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
    expect(isAlive(child)).toBe(true);

    await executor.cancel(j.deploy);
    const outcome = await reporter.outcome(j.deploy.id);
    expect(outcome.status).toBe('cancelled');
    await eventually(() => expect(isAlive(child)).toBe(false));
    await eventually(() => expect(liveProcessesInGroup(pgid)).toEqual([]));

    // cancelling something this executor does not run is a no-op
    await executor.cancel({ ...j.deploy, id: randomUUID() });
    expect(reporter.outcomes.get(j.deploy.id)).toHaveLength(1);
  });

  it('stops running deploys on shutdown', async () => {
    const script = writeScript(dir, 'deploy.sh', 'echo started\nsleep 30');
    const j = job([script]);
    const execution = await executor.start(j);
    await eventually(() =>
      expect(reporter.log(j.deploy.id)).toContain('started'),
    );
    await executor.shutdown();
    const outcome = await reporter.outcome(j.deploy.id);
    expect(outcome.status).toBe('failed');
    await eventually(() =>
      expect(liveProcessesInGroup(pidOf(execution.handle))).toEqual([]),
    );
  });

  it('recovers after a restart: kills the orphaned process group and fails the deploy', async () => {
    const j = job(['./deploy.sh']);
    const orphan = spawn('sleep', ['30'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, SLED_DEPLOY_ID: j.deploy.id },
    });
    const pid = orphan.pid!;
    // a process that reuses a recorded pid is not the deploy's: left alone
    const stranger = spawn('sleep', ['30'], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      expect(isAlive(pid)).toBe(true);
      const running: Deploy = {
        ...j.deploy,
        execution: { executor: 'local', handle: `pid:${pid}` },
      };
      const reused: Deploy = {
        ...job(['./deploy.sh']).deploy,
        execution: { executor: 'local', handle: `pid:${stranger.pid}` },
      };
      // a deploy whose process is long gone (no handle recorded)
      const gone: Deploy = { ...job(['./deploy.sh']).deploy };

      await executor.recover([running, gone, reused]);

      await eventually(() => expect(isAlive(pid)).toBe(false));
      expect(isAlive(stranger.pid!)).toBe(true);
      expect(reporter.outcomes.get(reused.id)).toHaveLength(1);
      for (const d of [running, gone]) {
        const outcomes = reporter.outcomes.get(d.id)!;
        expect(outcomes).toHaveLength(1);
        expect(outcomes[0].status).toBe('failed');
        expect(outcomes[0].message).toMatch(/backend restarted/);
        expect(reporter.log(d.id)).toMatch(/backend restarted/);
      }
    } finally {
      for (const p of [pid, stranger.pid!]) {
        try {
          process.kill(-p, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
