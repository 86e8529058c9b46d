/** Container image references, and whether one is pinned by digest. */

/** `registry/repo@sha256:<64 hex>` (a tag before the digest is allowed). */
const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** @public */
export function isPinnedByDigest(image: string): boolean {
  return DIGEST.test(image);
}

/**
 * A reference Kubernetes accepts: no whitespace, lowercase repository, an
 * optional tag and digest. Not a full grammar: what a typo breaks.
 */
const REFERENCE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?$/;

/** Why an image reference is malformed, or undefined when it is fine. */
export function imageProblem(image: string): string | undefined {
  if (image.trim() !== image || /\s/.test(image)) {
    return `'${image}' contains whitespace`;
  }
  if (!REFERENCE.test(image)) {
    return `'${image}' is not an image reference (registry/repository[:tag][@sha256:digest], lowercase)`;
  }
  return undefined;
}
