import { Deploy } from '@internal/plugin-sled-common';

/** Told of a deploy's new state, after it was written. */
export type DeployChangeListener = (deploy: Deploy) => void;

/**
 * Every change of a deploy this backend writes (queued, claimed, ended),
 * told to whoever subscribed: the dispatcher starts a target's next deploy,
 * release planners stop waiting. Listeners run synchronously, in the order
 * they subscribed; one that throws does not keep the others from hearing.
 */
export class DeployChanges {
  private readonly listeners = new Set<DeployChangeListener>();
  private readonly decisionListeners = new Set<DeployChangeListener>();

  subscribe(listener: DeployChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(deploy: Deploy): void {
    DeployChanges.tell(this.listeners, deploy);
  }

  /**
   * Approval decisions, which change a deploy's approvals but not always its
   * status (one approval of two); the decision that queues, rejects or
   * expires it is also told to {@link DeployChanges.subscribe}'s listeners.
   */
  subscribeDecisions(listener: DeployChangeListener): () => void {
    this.decisionListeners.add(listener);
    return () => this.decisionListeners.delete(listener);
  }

  /** An approval decision on the deploy was written. */
  decided(deploy: Deploy): void {
    DeployChanges.tell(this.decisionListeners, deploy);
  }

  private static tell(listeners: Set<DeployChangeListener>, deploy: Deploy) {
    for (const listener of listeners) {
      try {
        listener(deploy);
      } catch {
        // a listener's failure is its own; the change was written
      }
    }
  }
}
