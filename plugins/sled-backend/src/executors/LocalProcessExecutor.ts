import { LoggerService } from '@backstage/backend-plugin-api';
import { Deploy, DeployExecution } from '@internal/plugin-sled-common';
import { ChildProcess, spawn } from 'child_process';
import { readFile } from 'fs/promises';
import {
  DeployExecutor,
  DeployJob,
  DeployReporter,
  deployArgv,
  deployEnvironment,
} from '@internal/plugin-sled-node';

/** Environment variables a deploy process inherits from the backend; no secrets. */
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
const KILL_GRACE_MS = 5000;
const STDIO_GRACE_MS = 2000;

interface Running {
  child: ChildProcess;
  stopReason?: 'cancelled' | 'timeout';
  timer: NodeJS.Timeout;
  /** another backend runs the deploy now: nothing more is reported */
  forgotten?: boolean;
}

/**
 * Runs the deploy command as a child process on the backend host: the
 * embedded default for a laptop with no cluster. The argv is spawned without
 * a shell, in its own process group so cancel and time-out stop everything
 * the script started.
 */
export class LocalProcessExecutor implements DeployExecutor {
  readonly kind = 'local' as const;
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly options: {
      reporter: DeployReporter;
      logger: LoggerService;
      timeoutSeconds: number;
    },
  ) {}

  async start(job: DeployJob): Promise<DeployExecution> {
    const { reporter } = this.options;
    const id = job.deploy.id;
    const [file, ...args] = deployArgv(job);
    const env: Record<string, string> = {};
    for (const key of INHERITED_ENV) {
      if (process.env[key] !== undefined) env[key] = process.env[key]!;
    }
    Object.assign(env, deployEnvironment(job));

    const child = spawn(file, args, {
      cwd: job.launch.workingDirectory,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const entry: Running = {
      child,
      timer: setTimeout(() => {
        entry.stopReason = 'timeout';
        this.killGroup(child);
      }, this.options.timeoutSeconds * 1000),
    };
    this.running.set(id, entry);

    const output = (text: string) => {
      if (!entry.forgotten) reporter.appendLog(id, text);
    };
    child.stdout!.setEncoding('utf8').on('data', output);
    child.stderr!.setEncoding('utf8').on('data', output);

    let settled = false;
    const settle = (outcome: Parameters<DeployReporter['finished']>[1]) => {
      if (settled || entry.forgotten) return;
      settled = true;
      clearTimeout(entry.timer);
      this.running.delete(id);
      reporter
        .finished(id, outcome)
        .catch(error =>
          this.options.logger.error(
            `Could not record the end of deploy ${id}`,
            error,
          ),
        );
    };

    child.on('error', error => {
      output(`sled: could not start ${file}: ${error.message}\n`);
      settle({
        status: 'failed',
        message: `Could not start the deploy command '${file}': ${error.message}`,
      });
    });
    // 'close' waits for the output pipes; a background process the script left
    // behind could hold them open forever, so settle shortly after 'exit'.
    child.on('exit', (code, signal) => {
      setTimeout(
        () => child.emit('close', code, signal),
        STDIO_GRACE_MS,
      ).unref();
    });
    child.on('close', (code, signal) => {
      if (entry.stopReason === 'cancelled') {
        settle({
          status: 'cancelled',
          message: 'Cancelled while running',
          exitCode: code ?? undefined,
        });
      } else if (entry.stopReason === 'timeout') {
        settle({
          status: 'failed',
          message: `Timed out after ${this.options.timeoutSeconds} s; the deploy process was stopped`,
          exitCode: code ?? undefined,
        });
      } else if (code === 0) {
        settle({ status: 'succeeded', exitCode: 0 });
      } else if (code !== null) {
        settle({
          status: 'failed',
          message: `The deploy script exited with code ${code}`,
          exitCode: code,
        });
      } else {
        settle({
          status: 'failed',
          message: `The deploy script was killed by ${signal}`,
        });
      }
    });

    await new Promise<void>(resolve => {
      child.once('spawn', resolve);
      child.once('error', () => resolve());
    });
    return {
      executor: 'local',
      handle: child.pid ? `pid:${child.pid}` : undefined,
    };
  }

  async cancel(deploy: Deploy): Promise<void> {
    const entry = this.running.get(deploy.id);
    if (!entry) return;
    entry.stopReason = 'cancelled';
    this.killGroup(entry.child);
  }

  /**
   * Another backend took the deploy over (this one sent no heartbeat for too
   * long) and recorded that its process ended with this backend: this one
   * stops the process, and reports neither its output nor its outcome.
   */
  forget(deployId: string): void {
    const entry = this.running.get(deployId);
    if (!entry) return;
    entry.forgotten = true;
    clearTimeout(entry.timer);
    this.running.delete(deployId);
    this.killGroup(entry.child);
  }

  async recover(running: Deploy[]): Promise<void> {
    const { reporter, logger } = this.options;
    for (const deploy of running) {
      const pid = Number(deploy.execution?.handle?.replace(/^pid:/, ''));
      if (pid > 0 && (await isDeployProcess(pid, deploy.id))) {
        try {
          // the process group outlived the old backend: stop it, nobody reads its output
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone, the usual case
        }
      }
      logger.warn(
        `Deploy ${deploy.id} was running when the backend stopped; marking it failed`,
      );
      reporter.appendLog(
        deploy.id,
        '\nsled: the backend restarted while this deploy ran; its process ended with the old backend\n',
      );
      await reporter.finished(deploy.id, {
        status: 'failed',
        message:
          'The backend restarted while this deploy was running, and its local deploy process ended with the old backend. Its outcome is unknown: check the service, then deploy again.',
      });
    }
  }

  async shutdown(): Promise<void> {
    for (const entry of this.running.values()) this.killGroup(entry.child);
  }

  private killGroup(child: ChildProcess) {
    if (!child.pid) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // exited on SIGTERM
      }
    }, KILL_GRACE_MS).unref();
  }
}

/** True when the pid still runs this deploy (pids are reused). */
async function isDeployProcess(
  pid: number,
  deployId: string,
): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    return environ.split('\0').includes(`SLED_DEPLOY_ID=${deployId}`);
  } catch {
    return false;
  }
}
