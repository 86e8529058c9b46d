/** One stored piece of a deploy's output, in the order it was written. */
export interface DeployLogChunk {
  chunk: number;
  text: string;
}

/** Persistence of deploys' output, chunk by chunk. */
export interface DeployLogStore {
  /**
   * Stores one chunk of a deploy's output. With `runner`, only while that
   * backend runs the deploy: false, and nothing written, once another backend
   * took it over (a backend whose heartbeats stopped may still be following
   * it, and its output would interleave with the new runner's).
   */
  appendLog(
    deployId: string,
    chunk: number,
    text: string,
    runner?: string,
  ): Promise<boolean>;
  readLog(deployId: string, afterChunk?: number): Promise<DeployLogChunk[]>;
}
