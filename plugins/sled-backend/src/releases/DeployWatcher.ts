import { Deploy, isFinalDeployStatus } from '@internal/plugin-sled-common';
import { DeployStore } from '../database/DeployStore';

/**
 * Resolves when a deploy ends: at once on this process's change events, and
 * by polling the store for deploys that end elsewhere (another replica).
 */
export class DeployWatcher {
  private readonly waiters = new Map<string, Set<(deploy: Deploy) => void>>();

  constructor(
    private readonly store: DeployStore,
    private readonly pollMs = 1000,
  ) {}

  /** Called with every deploy change (a `DeployChanges` listener). */
  notify(deploy: Deploy) {
    if (!isFinalDeployStatus(deploy.status)) return;
    const waiting = this.waiters.get(deploy.id);
    if (!waiting) return;
    this.waiters.delete(deploy.id);
    waiting.forEach(resolve => resolve(deploy));
  }

  /** With `signal`, rejects once it aborts (and stops polling). */
  waitForEnd(deployId: string, signal?: AbortSignal): Promise<Deploy> {
    return new Promise<Deploy>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let detach = () => {};
      const done = (deploy: Deploy) => {
        detach();
        resolve(deploy);
      };
      const stop = () => {
        detach();
        reject(new Error(`Stopped waiting for the end of deploy ${deployId}`));
      };
      detach = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
        this.waiters.get(deployId)?.delete(done);
      };
      if (signal?.aborted) {
        stop();
        return;
      }
      signal?.addEventListener('abort', stop, { once: true });
      const set = this.waiters.get(deployId) ?? new Set();
      set.add(done);
      this.waiters.set(deployId, set);
      const poll = async () => {
        try {
          const deploy = await this.store.getDeploy(deployId);
          if (!deploy) throw new Error(`Deploy ${deployId} disappeared`);
          if (isFinalDeployStatus(deploy.status)) {
            done(deploy);
            return;
          }
          if (this.waiters.get(deployId)?.has(done))
            timer = setTimeout(poll, this.pollMs);
        } catch (error) {
          detach();
          reject(error);
        }
      };
      void poll();
    });
  }
}
