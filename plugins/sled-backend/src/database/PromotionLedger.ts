/**
 * What the deploy ledger says of an artifact in the environment it is
 * promoted from: the facts the promotion gate decides on.
 */
export interface PromotionFacts {
  /** its newest non-dry-run deploy there that ended succeeded, failed or lost */
  latest?: {
    deployId: string;
    status: 'succeeded' | 'failed' | 'lost';
    finishedAt: Date;
  };
  /** a success there, after the artifact's, of an artifact registered before it (a rollback past it) */
  replacedByOlder?: { deployId: string; artifactVersion: string };
}

/** Reads promotion facts from the deploy ledger, in SQL. */
export interface PromotionLedger {
  promotionFacts(query: {
    entityRef: string;
    environment: string;
    artifactId: string;
  }): Promise<PromotionFacts>;
}
