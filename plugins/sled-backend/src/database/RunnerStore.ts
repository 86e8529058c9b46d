import { Deploy } from '@internal/plugin-sled-common';

/** Which running rows a backend may take over. */
export interface TakeOverOptions {
  /** a backend with no heartbeat for this long is gone */
  timeoutMs: number;
  /**
   * also rows without a runner, written before runners were recorded: only at
   * start-up, as every start-up did before, never on the periodic pass, so a
   * replica of the previous version keeps what it follows during a rollout
   */
  unowned: boolean;
}

/**
 * The backends (runners) that run deploys: their heartbeats, and the
 * take-over of the deploys of one that is gone.
 */
export interface RunnerStore {
  /** Records that the backend `runner` is alive (now). */
  heartbeat(runner: string): Promise<void>;
  /** Forgets a backend that stops: its running deploys are free to take over. */
  removeRunner(runner: string): Promise<void>;
  /**
   * Makes `runner` the runner of every running deploy whose backend is gone
   * (removed, or no heartbeat for `timeoutMs`), never its own, and returns
   * them; two backends calling it at once never both get one.
   */
  takeOverRunning(runner: string, options: TakeOverOptions): Promise<Deploy[]>;
}
