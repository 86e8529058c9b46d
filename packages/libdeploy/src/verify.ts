/** Ready-made `verify` hooks. */
import { setTimeout as sleep } from 'timers/promises';
import type { VerifyContext } from './deploy.ts';

/** @public */
export interface HttpCheckOptions {
  /** answers that pass; default 200–399 */
  expectStatus?: (status: number) => boolean;
  /** tries before giving up; default 5 */
  attempts?: number;
  /** between tries; default 2000 ms */
  intervalMs?: number;
  /** one try's limit; default 5000 ms */
  timeoutMs?: number;
}

/**
 * A `verify` hook that GETs `url` until it answers 2xx/3xx, and fails the
 * deploy (non-zero exit) when it never does.
 *
 * @public
 */
export function httpCheck(
  url: string,
  options: HttpCheckOptions = {},
): (context: VerifyContext) => Promise<void> {
  const attempts = options.attempts ?? 5;
  const pass = options.expectStatus ?? (s => s >= 200 && s < 400);
  return async ({ log }) => {
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
          redirect: 'manual',
        });
        await response.arrayBuffer().catch(() => undefined);
        if (pass(response.status)) {
          log(`verify: GET ${url} → ${response.status}`);
          return;
        }
        last = `answered ${response.status}`;
      } catch (error) {
        last = `failed: ${(error as Error).message}`;
      }
      log(`verify: GET ${url} ${last} (try ${attempt} of ${attempts})`);
      if (attempt < attempts) await sleep(options.intervalMs ?? 2000);
    }
    throw new Error(`GET ${url} ${last} after ${attempts} tries`);
  };
}
