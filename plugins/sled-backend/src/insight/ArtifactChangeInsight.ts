import { InputError } from '@backstage/errors';
import {
  Artifact,
  ArtifactChanges,
  ArtifactSummary,
  ChangedMergeRequest,
} from '@internal/plugin-sled-common';
import { ArtifactChangeStore } from '../database/ArtifactChangeStore';
import { ArtifactStore } from '../database/ArtifactStore';
import { DeployQueue } from '../database/DeployQueue';

function summaryOf(artifact: Artifact): ArtifactSummary {
  return {
    id: artifact.id,
    version: artifact.version,
    commitSha: artifact.commitSha,
    ...(artifact.mergeRequest ? { mergeRequest: artifact.mergeRequest } : {}),
    ...(artifact.buildUrl ? { buildUrl: artifact.buildUrl } : {}),
    createdAt: artifact.createdAt,
  };
}

/** The merge requests of the artifacts, once each, in the artifacts' order. */
function mergeRequestsOf(artifacts: Artifact[]): ChangedMergeRequest[] {
  const seen = new Set<string>();
  const result: ChangedMergeRequest[] = [];
  for (const artifact of artifacts) {
    const mr = artifact.mergeRequest;
    if (!mr || seen.has(mr.url)) continue;
    seen.add(mr.url);
    result.push({
      url: mr.url,
      title: mr.title,
      ...(mr.mergedAt ? { mergedAt: mr.mergedAt } : {}),
      artifactId: artifact.id,
      version: artifact.version,
    });
  }
  return result;
}

/**
 * What deploying an artifact to an environment changes: the artifacts
 * between what runs there and it, in version order (`versionOrderKey`),
 * with their merge requests and commits. Forward
 * they are what the deploy brings; for a rollback, what it takes back. The
 * caller has checked that the artifact's service may be read.
 */
export class ArtifactChangeInsight {
  constructor(
    private readonly options: {
      changes: ArtifactChangeStore;
      artifacts: Pick<ArtifactStore, 'getArtifact'>;
      deploys: Pick<DeployQueue, 'getDeploy'>;
    },
  ) {}

  async describe(request: {
    candidate: Artifact;
    environment: string;
    /** a deploy of the candidate to the environment: compare with what ran before it */
    deployId?: string;
    limit: number;
  }): Promise<ArtifactChanges> {
    const { changes, artifacts, deploys } = this.options;
    const { candidate, environment, deployId, limit } = request;
    const { entityRef } = candidate;
    if (deployId) {
      const deploy = await deploys.getDeploy(deployId);
      if (
        !deploy ||
        deploy.artifactId !== candidate.id ||
        deploy.environment !== environment
      ) {
        throw new InputError(
          `deployId: no deploy '${deployId}' of artifact ${candidate.id} to ${environment}`,
        );
      }
    }
    const runningId = await changes.findRunning({
      entityRef,
      environment,
      beforeDeployId: deployId,
    });
    const current = runningId
      ? await artifacts.getArtifact(runningId)
      : undefined;
    const base = {
      entityRef,
      environment,
      ...(current ? { current: summaryOf(current) } : {}),
      candidate: summaryOf(candidate),
    };
    if (!current) {
      const range = await changes.listBetween({
        entityRef,
        upTo: candidate.id,
        limit,
      });
      return this.answer({ ...base, direction: 'initial' }, range);
    }
    const order =
      current.id === candidate.id
        ? 'same'
        : await changes.compareVersions(candidate.id, current.id);
    if (order === 'same') {
      return this.answer(
        { ...base, direction: 'same' },
        { artifacts: [], total: 0 },
      );
    }
    const forward = order === 'after';
    const range = await changes.listBetween({
      entityRef,
      after: forward ? current.id : candidate.id,
      upTo: forward ? candidate.id : current.id,
      limit,
    });
    return this.answer(
      { ...base, direction: forward ? 'forward' : 'rollback' },
      range,
    );
  }

  private answer(
    head: Omit<
      ArtifactChanges,
      'artifacts' | 'total' | 'mergeRequests' | 'commits'
    >,
    range: { artifacts: Artifact[]; total: number },
  ): ArtifactChanges {
    return {
      ...head,
      artifacts: range.artifacts.map(summaryOf),
      total: range.total,
      mergeRequests: mergeRequestsOf(range.artifacts),
      commits: [...new Set(range.artifacts.map(a => a.commitSha))],
    };
  }
}
