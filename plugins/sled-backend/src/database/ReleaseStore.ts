import {
  Release,
  ReleaseMemberStatus,
  ReleaseStatus,
} from '@internal/plugin-sled-common';
import { SledTargetFilter } from './targetFilter';
import { TakeOverOptions } from './RunnerStore';

export interface NewRelease {
  /** the backend that runs it (see RunnerStore.heartbeat) */
  runner: string;
  deployGroup: string;
  environment: string;
  dryRun: boolean;
  requestedBy: string;
  reason?: string;
  rollbackOf?: string;
  /** set when the release waits for approvals first (`awaiting_approval`): when they expire */
  approvalExpiresAt?: string;
  members: Array<{
    entityRef: string;
    wave: number;
    artifactId: string;
    artifactVersion: string;
  }>;
}

export interface ReleaseMemberUpdate {
  deployId?: string;
  status: ReleaseMemberStatus;
  message?: string;
}

/** Persistence of deploy-group releases and their members. */
export interface ReleaseStore {
  createRelease(release: NewRelease): Promise<Release>;
  /**
   * With a read `filter`, only the members it matches (their service, the
   * release's environment, the owner their artifact recorded), and nothing
   * when it matches none.
   */
  getRelease(
    id: string,
    options?: { filter?: SledTargetFilter },
  ): Promise<Release | undefined>;
  /** Newest first; with a read `filter`, as {@link ReleaseStore.getRelease}. */
  listReleases(options: {
    filter?: SledTargetFilter;
    deployGroup?: string;
    environment?: string;
    status?: ReleaseStatus[];
    limit: number;
  }): Promise<Release[]>;
  updateMember(
    releaseId: string,
    entityRef: string,
    update: ReleaseMemberUpdate,
  ): Promise<void>;
  /**
   * Makes `runner` the runner of every running release whose backend is gone
   * (as RunnerStore.takeOverRunning does for deploys), and returns them.
   */
  takeOverRunning(runner: string, options: TakeOverOptions): Promise<Release[]>;
  /** Ends a running release; false when it had already ended. */
  finishRelease(
    id: string,
    outcome: { status: 'succeeded' | 'failed' | 'cancelled'; message?: string },
  ): Promise<boolean>;
  /**
   * Starts a release awaiting approval (`running`, run by `runner`); undefined
   * when it was not awaiting approval any more (a concurrent decision won).
   */
  approveRelease(id: string, runner: string): Promise<Release | undefined>;
  /** Ends a release awaiting approval; undefined when it was not awaiting any more. */
  endAwaitingRelease(
    id: string,
    outcome: { status: 'rejected' | 'expired' | 'cancelled'; message: string },
  ): Promise<Release | undefined>;
  /** Ends `expired` every release whose approvals did not come by `now`, and returns them. */
  expireAwaitingReleases(now: Date): Promise<Release[]>;
}
