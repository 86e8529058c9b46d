import {
  Release,
  ReleaseMemberStatus,
  ReleaseStatus,
} from '@internal/plugin-sled-common';
import { TakeOverOptions } from './runners';

export interface NewRelease {
  /** the backend that runs it (see DeployStore.heartbeat) */
  runner: string;
  deployGroup: string;
  environment: string;
  dryRun: boolean;
  requestedBy: string;
  reason?: string;
  rollbackOf?: string;
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
  getRelease(id: string): Promise<Release | undefined>;
  /** Newest first. */
  listReleases(options: {
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
   * (as DeployStore.takeOverRunning does for deploys), and returns them.
   */
  takeOverRunning(runner: string, options: TakeOverOptions): Promise<Release[]>;
  /** Ends a running release; false when it had already ended. */
  finishRelease(
    id: string,
    outcome: { status: Exclude<ReleaseStatus, 'running'>; message?: string },
  ): Promise<boolean>;
}
