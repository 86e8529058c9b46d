/**
 * The deploys this backend claimed and is starting (its start checks run, an
 * executor launches it) until their handle is recorded, and which of them
 * were cancelled through this backend meanwhile. A cancel of a starting
 * deploy is written at once; the start sees it and starts nothing, or stops
 * what it started.
 */
export class StartingDeploys {
  private readonly starting = new Set<string>();
  private readonly cancelled = new Set<string>();

  begin(deployId: string): void {
    this.starting.add(deployId);
  }

  end(deployId: string): void {
    this.starting.delete(deployId);
    this.cancelled.delete(deployId);
  }

  /** True while this backend starts the deploy. */
  isLaunching(deployId: string): boolean {
    return this.starting.has(deployId);
  }

  /** Notes that a starting deploy's cancel was written. */
  markCancelled(deployId: string): void {
    if (this.starting.has(deployId)) this.cancelled.add(deployId);
  }

  /** True (once) when the deploy was cancelled while it started. */
  takeCancelled(deployId: string): boolean {
    return this.cancelled.delete(deployId);
  }
}
