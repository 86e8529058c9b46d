import { InputError } from '@backstage/errors';
import { minimatch } from 'minimatch';

/** An image reference pinned by digest: `<repository>[:tag]@sha256:<64 hex>`. */
const PINNED = /^([^\s@]+)@sha256:[0-9a-f]{64}$/;

/**
 * Which deployer images an artifact may name (`deploy.image`). What runs is
 * reviewed code: the command comes from the catalog only, and an image from
 * an artifact must be pinned by digest and match one of the glob patterns of
 * `sled.kubernetes.allowedImages` (matched against the whole reference and
 * against its repository, the part before `@`). Without patterns, artifacts
 * cannot name an image at all.
 */
export class DeployerImagePolicy {
  constructor(private readonly allowedImages: readonly string[]) {}

  /** Why the image is refused, or undefined when it is allowed. */
  refusal(image: string): string | undefined {
    const pinned = PINNED.exec(image);
    if (!pinned) {
      return `'${image}' must be pinned by digest (<repository>@sha256:<64 hex digits>)`;
    }
    if (!this.allowedImages.length) {
      return 'artifacts may not name a deployer image: sled.kubernetes.allowedImages is empty';
    }
    const repository = pinned[1].replace(/:[^/:]+$/, '');
    const allowed = this.allowedImages.some(
      pattern =>
        minimatch(image, pattern) ||
        minimatch(pinned[1], pattern) ||
        minimatch(repository, pattern),
    );
    return allowed
      ? undefined
      : `'${image}' matches none of sled.kubernetes.allowedImages (${this.allowedImages.join(
          ', ',
        )})`;
  }

  /** Throws a 400 naming `field` unless the image is allowed. */
  assertAllowed(image: string, field = 'deploy.image'): void {
    const refusal = this.refusal(image);
    if (refusal) throw new InputError(`Invalid body: ${field}: ${refusal}`);
  }
}
