import {
  EnvironmentGates,
  Gate,
  GateReport,
} from '@internal/plugin-sled-common';
import { formatRequester } from './format';

/** The gate that makes a deploy wait for people rather than refusing it. */
export const APPROVALS_GATE = 'approvals';

/**
 * The gates that keep a deploy from being requested now, in the order the
 * backend evaluated them; none when the report allows it. Approvals only
 * make a deploy wait, so they refuse only when nothing else does.
 */
export function refusingGates(report: GateReport): Gate[] {
  if (report.allowed) {
    return [];
  }
  const failed = report.gates.filter(gate => !gate.passed);
  const refusing = failed.filter(gate => gate.name !== APPROVALS_GATE);
  return refusing.length > 0 ? refusing : failed;
}

/** Whether the caller may deploy past every gate that refuses (with a reason). */
export function mayOverrideGates(report: GateReport): boolean {
  const refusing = refusingGates(report);
  return (
    Boolean(report.canOverride) &&
    refusing.length > 0 &&
    refusing.every(gate => gate.overridable)
  );
}

/** When the first refusing gate passes on its own (a soak ends, a window opens). */
export function gatesReopenAt(report: GateReport): string | undefined {
  const times = refusingGates(report)
    .map(gate => gate.opensAt)
    .filter((at): at is string => Boolean(at))
    .sort();
  return times[0];
}

/** The approvals a deploy will wait for once it is requested. */
export interface ApprovalWait {
  /** distinct approvals needed, when the environment says */
  required?: number;
  /** who may approve: 'owners' and group or user refs */
  approvers: string[];
  /** what the approvals gate said, if it spoke */
  message?: string;
}

/**
 * What a deploy to an environment will wait for, if anything: the gate
 * report's `approvals` gate when there is a report (the backend lists it
 * only when the deploy will wait), the environment's configuration
 * otherwise.
 */
export function approvalWait(
  report: GateReport | undefined,
  gates: EnvironmentGates | undefined,
): ApprovalWait | undefined {
  const gate = report?.gates.find(g => g.name === APPROVALS_GATE);
  const config = gates?.approvals;
  if (report ? !gate : !config) {
    return undefined;
  }
  return {
    required: config?.required,
    approvers: config?.approvers ?? [],
    message: gate?.message,
  };
}

/** "1 approval", "2 approvals" */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "This deploy will wait for 2 approvals (owners or release-managers)." */
export function describeApprovalWait(wait: ApprovalWait): string {
  const who = wait.approvers.length
    ? ` (${wait.approvers.map(formatRequester).join(' or ')})`
    : '';
  if (wait.required) {
    return `This deploy will wait for ${plural(
      wait.required,
      'approval',
    )}${who} before it starts.`;
  }
  return `This deploy will wait for approval${who} before it starts.${
    wait.message ? ` ${wait.message}` : ''
  }`;
}
