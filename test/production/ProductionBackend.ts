/*
 * The bundled backend, started as the image's CMD starts it. TEST-ONLY
 * (./scripts/production-smoke).
 */
import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';

export interface ProductionBackendOptions {
  /** the folder holding the installed skeleton, the bundle and the config (the image's /app) */
  appDir: string;
  /** `--config` files, relative to `appDir` or absolute */
  configs: string[];
  /** the whole environment of the process: nothing else is inherited */
  env: Record<string, string>;
  baseUrl: string;
  logFile: string;
  /** the backend's pid goes here, so the calling script can end it if this process dies */
  pidFile?: string;
}

export class ProductionBackend {
  private exitCode: number | null | undefined = undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    private readonly logFile: string,
  ) {
    this.exited = new Promise(resolve =>
      child.once('exit', code => {
        this.exitCode = code;
        resolve();
      }),
    );
  }

  /** Spawns `node packages/backend --config …` in `appDir` (as `CMD` in packages/backend/Dockerfile). */
  static start(options: ProductionBackendOptions): ProductionBackend {
    const log = fs.openSync(options.logFile, 'a');
    const child = spawn(
      process.execPath,
      [
        'packages/backend',
        ...options.configs.flatMap(config => ['--config', config]),
      ],
      {
        cwd: options.appDir,
        env: options.env,
        stdio: ['ignore', log, log],
        // its own process group, so stop() ends whatever it started too
        detached: true,
      },
    );
    fs.closeSync(log);
    if (options.pidFile && child.pid) {
      fs.writeFileSync(options.pidFile, String(child.pid));
    }
    return new ProductionBackend(child, options.baseUrl, options.logFile);
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Waits until `readinessPath` answers 200; throws if the process exits first or time runs out. */
  async waitUntilReady(readinessPath: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `the backend exited (code ${this.exitCode}) before it was ready`,
        );
      }
      try {
        const res = await fetch(`${this.baseUrl}${readinessPath}`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    throw new Error(`the backend was not ready within ${timeoutMs / 1000} s`);
  }

  /** The last `lines` lines of its output (of those `keep` keeps). */
  tail(lines: number, keep: (line: string) => boolean = () => true): string {
    try {
      return fs
        .readFileSync(this.logFile, 'utf8')
        .trimEnd()
        .split('\n')
        .filter(keep)
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM to its process group (Backstage shuts down cleanly), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000) {
    if (!this.running || !this.child.pid) return;
    const group = -this.child.pid;
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(group, name);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // anything it started that outlived it
    signal('SIGKILL');
  }
}
