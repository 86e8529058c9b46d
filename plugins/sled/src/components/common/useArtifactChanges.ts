import { useApi } from '@backstage/core-plugin-api';
import { ArtifactChanges } from '@internal/plugin-sled-common';
import useAsync from 'react-use/esm/useAsync';
import { sledApiRef } from '../../api/SledApi';

/** How many artifacts a change list asks for; the answer counts the rest. */
export const CHANGE_LIST_LIMIT = 50;

export interface ArtifactChangesQuery {
  artifactId: string;
  environment: string;
  /** a past deploy of the artifact: compare with what ran before it */
  deployId?: string;
}

export interface ArtifactChangesState {
  /** true from the moment there is a query until its answer is in */
  loading: boolean;
  /** the answer to the current query */
  changes?: ArtifactChanges;
  /** why the current query could not be answered */
  error?: Error;
}

/**
 * What deploying an artifact to an environment changes
 * (`GET /artifacts/{id}/changes`); nothing while `query` is undefined. An
 * answer is only ever given for the query it was asked for: while the query
 * changes, `loading` is true at once.
 */
export function useArtifactChanges(
  query: ArtifactChangesQuery | undefined,
): ArtifactChangesState {
  const sledApi = useApi(sledApiRef);
  const key = query
    ? JSON.stringify([query.artifactId, query.environment, query.deployId])
    : undefined;
  const answer = useAsync(async () => {
    if (!query || !key) return undefined;
    try {
      const changes = await sledApi.getArtifactChanges(query.artifactId, {
        environment: query.environment,
        deployId: query.deployId,
        limit: CHANGE_LIST_LIMIT,
      });
      return { key, changes };
    } catch (error) {
      return { key, error: error as Error };
    }
    // the query is identified by its key
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sledApi, key]);

  const settled =
    !answer.loading && answer.value?.key === key ? answer.value : undefined;
  return {
    loading: Boolean(key) && !settled,
    changes: settled && 'changes' in settled ? settled.changes : undefined,
    error: settled && 'error' in settled ? settled.error : undefined,
  };
}
