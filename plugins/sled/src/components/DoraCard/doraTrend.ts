import { DoraFigures } from '@internal/plugin-sled-common';

/** One DORA figure of a window, beside the same figure of the window before. */
export interface DoraFigure {
  key: 'frequency' | 'leadTime' | 'failureRate' | 'timeToRestore';
  label: string;
  /** the figure, formatted; '–' when there was nothing to measure */
  value: string;
  /** what it was measured on, e.g. `12 deploys` */
  basis: string;
  trend?: DoraTrend;
}

/** How a figure moved against the window before. */
export interface DoraTrend {
  direction: 'up' | 'down' | 'flat';
  /** whether the move is for the better (faster, more often, fewer failures) */
  better: boolean | undefined;
  /** e.g. `+25%` or `-10 pts` */
  change: string;
}

/** `45s`, `12m`, `3h 20m`, `2d 4h`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n} ${n === 1 ? one : many}`;

function trend(
  current: number | undefined,
  previous: number | undefined,
  higherIsBetter: boolean,
  points = false,
): DoraTrend | undefined {
  if (current === undefined || previous === undefined) return undefined;
  const delta = current - previous;
  const directions = { '1': 'up', '-1': 'down', '0': 'flat' } as const;
  const direction = directions[String(Math.sign(delta)) as '1' | '-1' | '0'];
  const better =
    direction === 'flat' ? undefined : delta > 0 === higherIsBetter;
  if (points) {
    const pts = Math.round(delta * 100);
    return { direction, better, change: `${pts > 0 ? '+' : ''}${pts} pts` };
  }
  if (previous === 0) {
    return { direction, better, change: delta === 0 ? '±0%' : 'new' };
  }
  const pct = Math.round((delta / previous) * 100);
  return { direction, better, change: `${pct > 0 ? '+' : ''}${pct}%` };
}

/** The four DORA figures of `current`, each with its trend against `previous`. */
export function doraFigures(
  current: DoraFigures,
  previous: DoraFigures,
): DoraFigure[] {
  const perDay = current.deploymentsPerDay;
  return [
    {
      key: 'frequency',
      label: 'Deployment frequency',
      value:
        perDay >= 1 || perDay === 0
          ? `${Number(perDay.toFixed(1))}/day`
          : `${Number((perDay * 7).toFixed(1))}/week`,
      basis: plural(current.deployments, 'deploy'),
      trend: trend(current.deploymentsPerDay, previous.deploymentsPerDay, true),
    },
    {
      key: 'leadTime',
      label: 'Lead time for changes',
      value:
        current.leadTime.medianSeconds === undefined
          ? '–'
          : formatSeconds(current.leadTime.medianSeconds),
      basis: `median of ${plural(current.leadTime.count, 'change')}`,
      trend: trend(
        current.leadTime.medianSeconds,
        previous.leadTime.medianSeconds,
        false,
      ),
    },
    {
      key: 'failureRate',
      label: 'Change failure rate',
      value:
        current.changeFailureRate === undefined
          ? '–'
          : `${Math.round(current.changeFailureRate * 100)}%`,
      basis: `${current.failures} of ${plural(current.changes, 'change')}`,
      trend: trend(
        current.changeFailureRate,
        previous.changeFailureRate,
        false,
        true,
      ),
    },
    {
      key: 'timeToRestore',
      label: 'Time to restore',
      value:
        current.timeToRestore.medianSeconds === undefined
          ? '–'
          : formatSeconds(current.timeToRestore.medianSeconds),
      basis: `median of ${plural(current.timeToRestore.count, 'restore')}`,
      trend: trend(
        current.timeToRestore.medianSeconds,
        previous.timeToRestore.medianSeconds,
        false,
      ),
    },
  ];
}
