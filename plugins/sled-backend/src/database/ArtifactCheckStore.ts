import { ArtifactCheck } from '@internal/plugin-sled-common';

/** The latest result of each CI check of an artifact. */
export interface ArtifactCheckStore {
  /** Records results; a check name recorded before is replaced. */
  recordChecks(artifactId: string, checks: ArtifactCheck[]): Promise<void>;
  /** The artifact's checks, by name. */
  listChecks(artifactId: string): Promise<ArtifactCheck[]>;
}
