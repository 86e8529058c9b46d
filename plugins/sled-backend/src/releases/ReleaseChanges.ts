import { Release } from '@internal/plugin-sled-common';

/** What changed about a release, after it was written. */
export type ReleaseChange =
  | {
      kind: 'created';
      releaseId: string;
      deployGroup: string;
      environment: string;
      release: Release;
    }
  | {
      /** someone approved or rejected it (it may still wait for more) */
      kind: 'decided';
      releaseId: string;
      deployGroup: string;
      environment: string;
    }
  | {
      /** its approvals came: the release may run */
      kind: 'approved';
      releaseId: string;
      deployGroup: string;
      environment: string;
      release: Release;
    }
  | {
      kind: 'member';
      releaseId: string;
      deployGroup: string;
      environment: string;
      entityRef: string;
    }
  | {
      kind: 'ended';
      releaseId: string;
      deployGroup: string;
      environment: string;
      status: 'succeeded' | 'failed' | 'cancelled' | 'rejected' | 'expired';
      message?: string;
      requestedBy: string;
      dryRun: boolean;
    };

/** Told of a release's change, after it was written. */
export type ReleaseChangeListener = (change: ReleaseChange) => void;

/**
 * Every change of a release this backend writes (created, a member's
 * progress, ended), told to whoever subscribed: live updates of open tabs,
 * notifications of the group's owners. Listeners run synchronously in the
 * order they subscribed; one that throws does not keep the others from
 * hearing. The sibling of `DeployChanges` for releases.
 */
export class ReleaseChanges {
  private readonly listeners = new Set<ReleaseChangeListener>();

  subscribe(listener: ReleaseChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(change: ReleaseChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // a listener's failure is its own; the change was written
      }
    }
  }
}
