import { Deploy } from '@internal/plugin-sled-common';
import { deployDurationMs } from '../common/format';

export interface DayStats {
  /** YYYY-MM-DD (UTC) */
  day: string;
  deploys: number;
  succeeded: number;
  failed: number;
  /** deploys whose Job vanished: their outcome is unknown */
  lost: number;
  /** deploys that never ran: an approver rejected them, or approvals expired */
  refused: number;
  /** of finished, non-skipped deploys, in ms; undefined when none */
  p50?: number;
  p95?: number;
}

export interface DeployStats {
  days: DayStats[];
  total: number;
  /**
   * succeeded / (succeeded + failed); undefined when neither happened. Lost
   * deploys count in neither: their outcome is unknown; nor do deploys that
   * never ran (rejected, expired or still awaiting approval).
   */
  successRate?: number;
  p50?: number;
  p95?: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) {
    return undefined;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function durationsOf(deploys: Deploy[]): number[] {
  const durations: number[] = [];
  for (const deploy of deploys) {
    if (
      (deploy.status === 'succeeded' || deploy.status === 'failed') &&
      deploy.finishedAt
    ) {
      const ms = deployDurationMs(deploy);
      if (ms !== undefined && ms >= 0) {
        durations.push(ms);
      }
    }
  }
  return durations.sort((a, b) => a - b);
}

function successRate(succeeded: number, failed: number): number | undefined {
  return succeeded + failed === 0
    ? undefined
    : succeeded / (succeeded + failed);
}

/** Per-day p50/p95 durations and success counts, oldest day first. */
export function computeDeployStats(deploys: Deploy[]): DeployStats {
  const byDay = new Map<string, Deploy[]>();
  for (const deploy of deploys) {
    const day = deploy.createdAt.slice(0, 10);
    const list = byDay.get(day);
    if (list) {
      list.push(deploy);
    } else {
      byDay.set(day, [deploy]);
    }
  }
  let succeeded = 0;
  let failed = 0;
  const days: DayStats[] = [...byDay.keys()].sort().map(day => {
    const list = byDay.get(day)!;
    const durations = durationsOf(list);
    const daySucceeded = list.filter(d => d.status === 'succeeded').length;
    const dayFailed = list.filter(d => d.status === 'failed').length;
    const dayLost = list.filter(d => d.status === 'lost').length;
    const dayRefused = list.filter(
      d => d.status === 'rejected' || d.status === 'expired',
    ).length;
    succeeded += daySucceeded;
    failed += dayFailed;
    return {
      day,
      deploys: list.length,
      succeeded: daySucceeded,
      failed: dayFailed,
      lost: dayLost,
      refused: dayRefused,
      p50: percentile(durations, 50),
      p95: percentile(durations, 95),
    };
  });
  const all = durationsOf(deploys);
  return {
    days,
    total: deploys.length,
    successRate: successRate(succeeded, failed),
    p50: percentile(all, 50),
    p95: percentile(all, 95),
  };
}

export function daySuccessRate(day: DayStats): number | undefined {
  return successRate(day.succeeded, day.failed);
}
