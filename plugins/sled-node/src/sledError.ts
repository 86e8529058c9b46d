/**
 * The error SLeD answered with, for a rejection of {@link SledService}: the
 * `ResponseError` of a call that was not 2xx carries SLeD's own error as its
 * cause, with its name (`InputError`, `NotAllowedError`, `NotFoundError`,
 * `ConflictError`) and message. Rethrown from a route or an action, it
 * answers with the same status and message. Anything else is returned as it
 * is.
 *
 * @public
 */
export function sledError(error: unknown): unknown {
  if (
    error instanceof Error &&
    error.name === 'ResponseError' &&
    error.cause instanceof Error
  ) {
    return error.cause;
  }
  return error;
}
