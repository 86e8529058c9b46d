import { parseEntityRef } from '@backstage/catalog-model';
import { Deploy, DeployStatus } from '@internal/plugin-sled-common';

/** The status as words: `awaiting_approval` → "awaiting approval". */
export function formatDeployStatus(status: DeployStatus): string {
  return status.replace(/_/g, ' ');
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/** "42s", "3m 05s", "1h 02m" */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  if (totalSeconds < 60) {
    return `${totalSeconds}s`;
  }
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes < 60) {
    return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** How long a deploy ran (or has been running), if it started. */
export function deployDurationMs(
  deploy: Deploy,
  now: number = Date.now(),
): number | undefined {
  const start = deploy.startedAt ?? undefined;
  if (!start) {
    return undefined;
  }
  const end = deploy.finishedAt ? Date.parse(deploy.finishedAt) : now;
  return end - Date.parse(start);
}

/** A span of minutes as a person says it: "42 min", "2 h 05 min", "3 days". */
export function formatMinutes(minutes: number): string {
  const whole = Math.max(0, Math.floor(minutes));
  if (whole < 60) {
    return `${whole} min`;
  }
  if (whole < 48 * 60) {
    return `${Math.floor(whole / 60)} h ${String(whole % 60).padStart(
      2,
      '0',
    )} min`;
  }
  return `${Math.floor(whole / (24 * 60))} days`;
}

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "5 minutes ago", "yesterday" */
export function formatRelativeTime(
  iso: string,
  now: number = Date.now(),
): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return iso;
}

export function formatTimestamp(iso: string): string {
  return new Date(iso).toLocaleString();
}

/** `user:default/jane.doe` → `jane.doe`; anything unparsable as is. */
export function formatRequester(ref: string): string {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}
