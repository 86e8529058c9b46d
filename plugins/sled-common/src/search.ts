import { IndexableDocument } from '@backstage/plugin-search-common';
import { DeployStatus } from './types';

/**
 * The search document type of recent deploys, written by the collator in
 * `@internal/plugin-search-backend-module-sled-deploys` and shown by the
 * frontend's `SledDeploySearchResultListItem`.
 */
export const SLED_DEPLOY_DOCUMENT_TYPE = 'sled-deploy';

/**
 * One deploy in the search index. Every field is a string (empty when
 * unknown) so that all documents share one schema in every search engine.
 *
 * @public
 */
export interface SledDeployDocument extends IndexableDocument {
  /** the deploy id */
  deployId: string;
  entityRef: string;
  environment: string;
  status: DeployStatus;
  version: string;
  /** ISO date the deploy was requested */
  createdAt: string;
  /** user or service ref of who asked for it */
  requestedBy: string;
  commitSha: string;
  mergeRequestTitle: string;
}
