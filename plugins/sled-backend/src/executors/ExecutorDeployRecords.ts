import {
  Artifact,
  Deploy,
  DeployExecution,
} from '@internal/plugin-sled-common';
import { ExecutorDeploys } from '@internal/plugin-sled-node';
import { DeployStore } from '../database/DeployStore';
import { DeployGates } from '../gates/DeployGates';
import { SledEnvironments } from '../service/SledEnvironments';

/**
 * What executors may read and record about deploys ({@link ExecutorDeploys}),
 * over the store: reads, and the handle of a running deploy; never a status.
 */
export class ExecutorDeployRecords implements ExecutorDeploys {
  constructor(
    private readonly options: {
      store: DeployStore;
      /** this backend, as the runner of its deploys */
      runner: string;
      /** true while this backend starts a deploy it claimed */
      launching: { isLaunching(deployId: string): boolean };
      logs: { read(deployId: string): Promise<string> };
      /** the start gates, asked before a deploy is started again */
      gates: DeployGates;
      environments: SledEnvironments;
    },
  ) {}

  get runner(): string {
    return this.options.runner;
  }

  listRunning() {
    return this.options.store.listRunning({ runner: this.options.runner });
  }

  getDeploy(id: string) {
    return this.options.store.getDeploy(id);
  }

  getArtifact(id: string) {
    return this.options.store.getArtifact(id);
  }

  getLaunch(deployId: string) {
    return this.options.store.getLaunch(deployId);
  }

  startRefusal(deploy: Deploy, artifact: Artifact) {
    return this.options.gates.startRefusal(
      deploy,
      this.options.environments.get(deploy.environment),
      artifact,
    );
  }

  setExecution(deployId: string, execution: DeployExecution) {
    return this.options.store.setExecution(
      deployId,
      execution,
      this.options.runner,
    );
  }

  isLaunching(deployId: string): boolean {
    return this.options.launching.isLaunching(deployId);
  }

  readLog(deployId: string): Promise<string> {
    return this.options.logs.read(deployId);
  }
}
