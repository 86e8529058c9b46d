import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

export const createReleaseSchema = z
  .object({
    deployGroup: text(255),
    environment: text(64),
    artifacts: z.record(text(255), z.string().uuid()).optional(),
    dryRun: z.boolean().optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict();

export const listReleasesQuery = z
  .object({
    deployGroup: text(255).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();

export const rollbackReleaseSchema = z
  .object({ reason: z.string().max(2000).optional() })
  .strict();
