import { Artifact } from '@internal/plugin-sled-common';
import { SledRequestOptions, SledService } from './SledService';

const PAGE_SIZE = 200;

/**
 * The artifact of a service with this version, if the caller may read it:
 * its artifacts are read newest first, a page at a time, until one has the
 * version.
 *
 * @public
 */
export async function findArtifact(
  sled: Pick<SledService, 'listArtifacts'>,
  query: { entityRef: string; version: string },
  options: SledRequestOptions,
): Promise<Artifact | undefined> {
  let cursor: string | undefined;
  do {
    const page = await sled.listArtifacts(
      { entityRef: query.entityRef, limit: PAGE_SIZE, cursor },
      options,
    );
    const found = page.items.find(a => a.version === query.version);
    if (found) return found;
    cursor = page.nextCursor;
  } while (cursor);
  return undefined;
}
