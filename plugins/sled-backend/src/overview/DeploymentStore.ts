import { SledTargetFilter } from '../database/targetFilter';

/** The deploy that put what runs in one environment for one service. */
export interface CurrentDeploy {
  entityRef: string;
  environment: string;
  deployId: string;
  artifactId: string;
  version: string;
  /** ISO; absent for a deploy recorded without an end */
  finishedAt?: string;
}

/** Deploys of one target that have not ended: awaiting approval, queued or running. */
export interface OpenDeploys {
  entityRef: string;
  environment: string;
  awaitingApproval: number;
  /** queued or running */
  inProgress: number;
}

/**
 * What the deployments matrix reads of every target at once, each in one
 * query whatever the number of services.
 */
export interface DeploymentStore {
  /** Per target, its last successful, non-dry-run deploy; only rows `filter` admits. */
  listCurrentDeploys(filter?: SledTargetFilter): Promise<CurrentDeploy[]>;
  /** Per target with deploys that have not ended, how many; only rows `filter` admits. */
  listOpenDeploys(filter?: SledTargetFilter): Promise<OpenDeploys[]>;
}
