/**
 * This backend process as the runner of the deploys it starts or takes over:
 * its id (new for each process) and whether it began to shut down, after
 * which it starts, takes over and retries nothing.
 */
export class BackendRunner {
  private stopped = false;

  constructor(readonly id: string) {}

  get stopping(): boolean {
    return this.stopped;
  }

  /** Marks the backend as shutting down; there is no way back. */
  stop(): void {
    this.stopped = true;
  }
}
