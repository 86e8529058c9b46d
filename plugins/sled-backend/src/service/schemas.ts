import { InputError } from '@backstage/errors';
import { DEPLOY_STATUSES } from '@internal/plugin-sled-common';
import { z } from 'zod';

/**
 * C0 and C1 control characters, bidi marks, overrides and isolates, zero-width
 * characters, and the line and paragraph separators
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
/** the same, but tabs and line breaks, which multi-line text may hold */
const CONTROL_BUT_LINES =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

/** One line of text: no control characters or bidi overrides. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(value => !CONTROL.test(value), {
      message: 'must not contain control characters or bidi overrides',
    });
/** Free text such as a reason: lines and tabs, but no other control characters. */
export const multilineText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(value => !CONTROL_BUT_LINES.test(value), {
      message: 'must not contain control characters or bidi overrides',
    });
const entityRef = text(255);
const environment = text(64);
const isoDate = z.string().datetime({ offset: true });
/** An `https:` or `http:` URL: the only schemes a stored link may have. */
const webUrl = z
  .string()
  .max(2048)
  .refine(value => !CONTROL.test(value), {
    message: 'must not contain control characters or bidi overrides',
  })
  .url()
  .refine(
    value => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
    {
      message: 'must be an https: or http: URL',
    },
  );
/** Free text of a deploy, release or rollback request. */
export const reason = multilineText(2000).optional();

export const registerArtifactSchema = z
  .object({
    entityRef,
    version: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/,
        'letters, digits and . _ + - (at most 128)',
      ),
    image: text(512).optional(),
    commitSha: z.string().regex(/^[0-9a-f]{7,64}$/, 'a hex commit SHA'),
    mergeRequest: z
      .object({
        url: webUrl,
        title: text(512),
        mergedAt: isoDate.optional(),
      })
      .strict()
      .optional(),
    buildUrl: webUrl.optional(),
    deploy: z
      .object({
        // what runs comes from the catalog entity, never from an artifact
        command: z
          .undefined({
            message:
              'an artifact cannot choose what runs: the deploy command comes from the sled.dev/deploy-command annotation of the catalog entity',
          })
          .optional(),
        // checked against sled.kubernetes.allowedImages by the router
        image: text(512).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const createDeploySchema = z
  .object({
    entityRef,
    environment,
    artifactId: z.string().uuid(),
    dryRun: z.boolean().optional(),
    force: z.boolean().optional(),
    reason,
  })
  .strict();

export const rollbackSchema = z
  .object({ entityRef, environment, reason })
  .strict();

export const createLockSchema = z
  .object({
    environment,
    entityRef: entityRef.optional(),
    deployGroup: entityRef.optional(),
    reason: multilineText(2000).refine(value => value.trim().length > 0, {
      message: 'must not be empty',
    }),
    expiresAt: isoDate
      .refine(value => Date.parse(value) > Date.now(), {
        message: 'must be in the future',
      })
      .optional(),
  })
  .strict()
  .refine(lock => !(lock.entityRef && lock.deployGroup), {
    path: ['deployGroup'],
    message:
      'lock either one service (entityRef) or a deploy group (deployGroup), not both',
  });

/** A page size from the query string: one whole number (not a list of them). */
export const limitQuery = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,6}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .optional()
    .transform(value => value ?? fallback);
const limit = limitQuery(500, 50);
const cursor = z.string().max(64).optional();
const statuses = z
  .string()
  .transform(s => s.split(',').filter(Boolean))
  .pipe(z.array(z.enum(DEPLOY_STATUSES)));

export const listDeploysQuery = z
  .object({
    entityRef: entityRef.optional(),
    environment: environment.optional(),
    status: statuses.optional(),
    // only deploys created at or after this instant (the search collator's window)
    createdAfter: isoDate.optional(),
    limit,
    cursor,
  })
  .strict();

export const listArtifactsQuery = z
  .object({
    entityRef: entityRef.optional(),
    // a comma-separated batch of artifact ids (the search collator's lookups)
    ids: z
      .string()
      .transform(s => s.split(',').filter(Boolean))
      .pipe(z.array(z.string().uuid()).min(1).max(100))
      .optional(),
    limit,
    cursor,
  })
  .strict();

export const stateQuery = z.object({ entityRef }).strict();
export const locksQuery = z
  .object({
    environment: environment.optional(),
    entityRef: entityRef.optional(),
    deployGroup: entityRef.optional(),
  })
  .strict();
export const logsQuery = z
  .object({ follow: z.enum(['true', 'false']).optional() })
  .strict();
export const idParam = z.string().uuid();
export const idempotencyKey = z.string().min(1).max(255).optional();

/** Parses input or throws a 400 naming the first bad field. */
export function parse<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : where;
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(
            ', ',
          )}`
        : issue.message;
    throw new InputError(`Invalid ${where}: ${field}: ${message}`);
  }
  return result.data;
}
