import { z } from 'zod';
import { limitQuery, reason, text } from '../service/schemas';

/** Keys that would reach an object's prototype instead of naming a member. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Member entity ref → artifact id. Checked on the raw object: a record
 * schema drops a `__proto__` key silently, which must be a 400 instead.
 */
const memberArtifacts = z
  .custom<object>(
    value =>
      typeof value === 'object' && value !== null && !Array.isArray(value),
    { message: 'must be an object of member entity refs to artifact ids' },
  )
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(key)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          message: 'not a member entity ref',
        });
      }
    }
  })
  .pipe(z.record(text(255), z.string().uuid()));

export const createReleaseSchema = z
  .object({
    deployGroup: text(255),
    environment: text(64),
    artifacts: memberArtifacts.optional(),
    dryRun: z.boolean().optional(),
    reason,
  })
  .strict();

export const listReleasesQuery = z
  .object({
    deployGroup: text(255).optional(),
    limit: limitQuery(200, 20),
  })
  .strict();

export const rollbackReleaseSchema = z.object({ reason }).strict();
