import { EnvironmentGates, WindowState } from '@internal/plugin-sled-common';
import { DeployGates } from './DeployGates';

const MINUTE_MS = 60_000;

/**
 * An environment's gates as the API shows them (`gates`), and its deploy
 * windows' state now (`window`): nothing when it has none.
 */
export function environmentGates(
  gates: DeployGates,
  environment: string,
  now = new Date(),
): { gates?: EnvironmentGates; window?: WindowState } {
  const config = gates.configOf(environment);
  if (!config.promotion && !config.approvals && !config.windows.length) {
    return {};
  }
  const windows = gates.windowsOf(environment);
  const state = windows?.stateAt(now);
  return {
    gates: {
      ...(config.promotion
        ? {
            promotion: {
              from: config.promotion.from,
              soakMinutes: config.promotion.soakMs / MINUTE_MS,
            },
          }
        : {}),
      ...(config.approvals
        ? {
            approvals: {
              required: config.approvals.required,
              approvers: config.approvals.approvers,
              allowSelfApproval: config.approvals.allowSelfApproval,
              expiresAfterMinutes: config.approvals.expiresAfterMs / MINUTE_MS,
            },
          }
        : {}),
      ...(config.windows.length
        ? {
            windows: config.windows.map(w => ({
              kind: w.kind,
              schedule: w.schedule,
              durationMinutes: w.durationMs / MINUTE_MS,
              timezone: w.timezone,
              ...(w.reason ? { reason: w.reason } : {}),
            })),
          }
        : {}),
    },
    ...(state
      ? {
          window: {
            open: state.open,
            message: state.message,
            ...(state.changesAt ? { changesAt: state.changesAt } : {}),
          },
        }
      : {}),
  };
}
