import {
  Artifact,
  Page,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';
import { SledTargetFilter } from './targetFilter';

export interface ListArtifactsOptions {
  entityRef?: string;
  /** only these artifacts */
  ids?: string[];
  limit: number;
  cursor?: string;
  filter?: SledTargetFilter;
}

/** Persistence of artifacts: registered once per service and version, never changed. */
export interface ArtifactStore {
  /** Registers an artifact; identical replays return the existing one. */
  registerArtifact(
    request: RegisterArtifactRequest,
    ownerRef?: string,
  ): Promise<{ artifact: Artifact; created: boolean }>;
  getArtifact(id: string): Promise<Artifact | undefined>;
  listArtifacts(options: ListArtifactsOptions): Promise<Page<Artifact>>;
}
