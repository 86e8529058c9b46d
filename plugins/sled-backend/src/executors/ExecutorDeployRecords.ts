import { DeployExecution } from '@internal/plugin-sled-common';
import { ExecutorDeploys } from '@internal/plugin-sled-node';
import { DeployStore } from '../database/DeployStore';

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
