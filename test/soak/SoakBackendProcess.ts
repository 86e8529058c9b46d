/*
 * One sled backend in a child process of its own, for the chaos soak
 * (test/soak/run.ts). TEST-ONLY.
 *
 * The parent forks this file (with Backstage's TypeScript transform), sends it
 * the database, config and catalog, and gets the port it listens on. `kill()`
 * is SIGKILL: no shut-down hook runs, nothing is flushed, as when a node dies.
 * Its output goes to a log file of its own.
 */
import { ChildProcess, fork } from 'child_process';
import fs from 'fs';
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/types';

/** What the child needs to start a backend. */
export interface SoakBackendOptions {
  /** PostgreSQL connection string of the soak's database */
  connection: string;
  config: JsonObject;
  entities: Entity[];
}

const TAG = 'sled-soak-backend';
const ours = (m: any) => m && typeof m === 'object' && m.tag === TAG;

/** Parent side: a running backend process. */
export class SoakBackendProcess {
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    /** http://127.0.0.1:<port> */
    readonly url: string,
  ) {
    child.once('exit', () => {
      this.exited = true;
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Forks a backend and resolves once it serves requests. */
  static async start(
    options: SoakBackendOptions,
    logFile: string,
  ): Promise<SoakBackendProcess> {
    const log = fs.openSync(logFile, 'a');
    const child = fork(__filename, [], {
      execArgv: [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      ],
      stdio: ['ignore', log, log, 'ipc'],
      env: { ...process.env, SLED_SOAK_BACKEND_CHILD: '1' },
    });
    fs.closeSync(log);
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', code =>
        reject(
          new Error(
            `soak backend exited (${code}) before it was ready; see ${logFile}`,
          ),
        ),
      );
      child.on('message', (m: any) => ours(m) && resolve(m.port));
      child.send({ tag: TAG, options });
    });
    child.removeAllListeners('error');
    child.removeAllListeners('exit');
    child.removeAllListeners('message');
    return new SoakBackendProcess(child, `http://127.0.0.1:${port}`);
  }

  /** SIGKILL, and resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>(resolve =>
      this.child.once('exit', () => resolve()),
    );
    this.child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM: the backend shuts down as it would on a rollout. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>(resolve =>
      this.child.once('exit', () => resolve()),
    );
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  }
}

/** Child side: a sled backend (startTestBackend) on the soak's database. */
async function child() {
  const { options } = await new Promise<{ options: SoakBackendOptions }>(
    resolve => {
      const first = (m: any) => {
        if (!ours(m)) return;
        process.off('message', first);
        resolve(m);
      };
      process.on('message', first);
    },
  );
  // loaded here: the parent needs neither knex nor a backend
  const knexFactory = require('knex') as typeof import('knex').default;
  const { startBenchBackend } =
    require('../bench/backend') as typeof import('../bench/backend');
  const knex = knexFactory({
    client: 'pg',
    connection: options.connection,
    pool: { min: 0, max: 10 },
  });
  // the real scheduler, not the test backend's mock (which runs a task only
  // when asked): the periodic take-over and reconcile are what the soak tests
  const { schedulerServiceFactory } =
    require('@backstage/backend-defaults/scheduler') as typeof import('@backstage/backend-defaults/scheduler');
  const backend = await startBenchBackend({
    knex,
    entities: options.entities,
    config: options.config,
    features: [schedulerServiceFactory],
  });
  process.on('SIGTERM', () => {
    backend
      .stop()
      .catch(error => console.error('soak backend: stop failed', error))
      .finally(() => process.exit(0));
  });
  // the parent went away: do not linger
  process.on('disconnect', () => process.exit(0));
  process.send!({ tag: TAG, port: backend.server.port() });
}

if (require.main === module && process.env.SLED_SOAK_BACKEND_CHILD === '1') {
  child().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
