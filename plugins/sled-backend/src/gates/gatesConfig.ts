import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { CronTime } from 'cron';
import { IANAZone } from 'luxon';

/** A deploy window of an environment (`sled.environments[].windows[]`). */
export interface DeployWindowConfig {
  kind: 'allow' | 'deny';
  /** a cron expression: when the window opens */
  schedule: string;
  durationMs: number;
  /** IANA time zone the schedule is read in */
  timezone: string;
  reason?: string;
}

/** The release gates of one environment, from `sled.environments[]`. */
export interface EnvironmentGatesConfig {
  promotion?: { from: string; soakMs: number };
  approvals?: {
    required: number;
    /** `owners` and entity refs of groups or users; empty: anyone with sled.deploy.approve */
    approvers: string[];
    allowSelfApproval: boolean;
    expiresAfterMs: number;
  };
  windows: DeployWindowConfig[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Reads the gates of every environment (`promotion`, `approvals`,
 * `windows`) and checks them at start-up, naming the key of a bad value:
 * a promotion from an environment that is not configured, a schedule the
 * cron parser refuses, an unknown time zone.
 */
export function readGatesConfig(
  config: Config,
): Map<string, EnvironmentGatesConfig> {
  const envConfigs = config.getOptionalConfigArray('sled.environments') ?? [];
  const names = envConfigs.map(env => env.getString('name'));
  const gates = new Map<string, EnvironmentGatesConfig>();
  envConfigs.forEach((env, i) => {
    const key = `sled.environments[${i}]`;
    const name = names[i];
    const gate: EnvironmentGatesConfig = { windows: [] };

    const promotion = env.getOptionalConfig('promotion');
    if (promotion) {
      const from = promotion.getString('from');
      if (!names.includes(from) || from === name) {
        throw new InputError(
          `Invalid config at ${key}.promotion.from: '${from}' must be another configured environment`,
        );
      }
      gate.promotion = {
        from,
        soakMs: promotion.has('soak')
          ? duration(promotion, 'soak', `${key}.promotion.soak`)
          : 0,
      };
    }

    const approvals = env.getOptionalConfig('approvals');
    if (approvals) {
      const required = approvals.getOptionalNumber('required') ?? 1;
      if (!Number.isInteger(required) || required < 1 || required > 10) {
        throw new InputError(
          `Invalid config at ${key}.approvals.required: must be an integer from 1 to 10`,
        );
      }
      const approvers = approvals.getOptionalStringArray('approvers') ?? [];
      approvers.forEach((approver, j) => {
        if (approver !== 'owners' && !/^(group|user):/.test(approver)) {
          throw new InputError(
            `Invalid config at ${key}.approvals.approvers[${j}]: '${approver}' must be 'owners' or a group or user entity ref (group:default/release-managers)`,
          );
        }
      });
      gate.approvals = {
        required,
        approvers,
        allowSelfApproval:
          approvals.getOptionalBoolean('allowSelfApproval') ?? false,
        expiresAfterMs: approvals.has('expiresAfter')
          ? duration(approvals, 'expiresAfter', `${key}.approvals.expiresAfter`)
          : DAY_MS,
      };
    }

    (env.getOptionalConfigArray('windows') ?? []).forEach((window, j) => {
      const wkey = `${key}.windows[${j}]`;
      const kind = window.getString('kind');
      if (kind !== 'allow' && kind !== 'deny') {
        throw new InputError(
          `Invalid config at ${wkey}.kind: must be allow or deny`,
        );
      }
      const timezone = window.getOptionalString('timezone') ?? 'UTC';
      if (!IANAZone.isValidZone(timezone)) {
        throw new InputError(
          `Invalid config at ${wkey}.timezone: unknown time zone '${timezone}'`,
        );
      }
      const schedule = window.getString('schedule');
      try {
        // eslint-disable-next-line no-new
        new CronTime(schedule, timezone);
      } catch (error) {
        throw new InputError(
          `Invalid config at ${wkey}.schedule: '${schedule}' is not a cron expression: ${
            (error as Error).message
          }`,
        );
      }
      const durationMs = duration(window, 'duration', `${wkey}.duration`);
      gate.windows.push({
        kind,
        schedule,
        durationMs,
        timezone,
        reason: window.getOptionalString('reason'),
      });
    });
    gates.set(name, gate);
  });
  return gates;
}

function duration(config: Config, key: string, path: string): number {
  let ms: number;
  try {
    ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  } catch (error) {
    throw new InputError(
      `Invalid config at ${path}: ${(error as Error).message}`,
    );
  }
  if (!(ms > 0)) {
    throw new InputError(
      `Invalid config at ${path}: must be a positive duration such as 30m or 24h`,
    );
  }
  return ms;
}
