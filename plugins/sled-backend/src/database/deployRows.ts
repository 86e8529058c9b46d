import {
  Artifact,
  Deploy,
  DeployStatus,
  Lock,
  RegisterArtifactRequest,
} from '@internal/plugin-sled-common';
import { DeployLaunch } from '@internal/plugin-sled-node';
import { randomUUID } from 'crypto';
import { NewDeploy } from './DeployQueue';
import { iso, orUndefined } from './rowValues';

/** A row of a sled table, as Knex reads it. */
export type Row = Record<string, any>;

/** An artifact without CI's check results, which change after registration. */
const withoutChecks = ({ checks: _checks, ...artifact }: Artifact) => artifact;

/** The sled_deploys row of a deploy being written (its id drawn here). */
export function deployRow(
  input: Omit<NewDeploy, 'status'> & {
    status: DeployStatus;
    exitCode?: number;
  },
  times: {
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
  },
) {
  return {
    id: randomUUID(),
    entity_ref: input.entityRef,
    owner_ref: input.ownerRef ?? null,
    environment: input.environment,
    artifact_id: input.artifact.id,
    artifact_version: input.artifact.version,
    status: input.status,
    dry_run: input.dryRun,
    force: input.force,
    requested_by: input.requestedBy,
    reason: input.reason ?? null,
    rollback_of: input.rollbackOf ?? null,
    release_id: input.releaseId ?? null,
    message: input.message ?? null,
    exit_code: input.exitCode ?? null,
    execution: null,
    // the artifact as it was requested (artifacts are immutable; CI's check
    // results, which change, are read at the start gates): a claimed deploy
    // starts from it without reading it again
    launch: JSON.stringify({
      ...input.launch,
      artifact: withoutChecks(input.artifact),
    }),
    gates_overridden: input.gatesOverridden ?? false,
    approval_expires_at: input.approvalExpiresAt ?? null,
    created_at: times.createdAt,
    started_at: times.startedAt,
    finished_at: times.finishedAt,
  };
}

export function toArtifact(row: Row): Artifact {
  const { deploy, ...spec } = JSON.parse(row.spec) as RegisterArtifactRequest;
  return {
    ...spec,
    // artifacts registered before commands came only from the catalog may
    // still hold one: it is never run, so it is not shown either
    ...(deploy?.image ? { deploy: { image: deploy.image } } : {}),
    id: row.id,
    entityRef: row.entity_ref,
    ownerRef: orUndefined(row.owner_ref),
    version: row.version,
    createdAt: iso(row.created_at)!,
  };
}

export function toLaunch(row: Row): DeployLaunch | undefined {
  if (!row.launch) return undefined;
  const { artifact: _artifact, ...launch } = JSON.parse(row.launch);
  return launch;
}

/** The artifact a deploy was requested with (deploys requested before it was kept: none). */
export function toLaunchArtifact(row: Row): Artifact | undefined {
  return row.launch ? JSON.parse(row.launch).artifact : undefined;
}

export function toDeploy(row: Row): Deploy {
  // `launch` stays internal: it is how to run, not what happened
  return {
    id: row.id,
    entityRef: row.entity_ref,
    ownerRef: orUndefined(row.owner_ref),
    environment: row.environment,
    artifactId: row.artifact_id,
    artifactVersion: row.artifact_version,
    status: row.status,
    dryRun: Boolean(row.dry_run),
    force: Boolean(row.force),
    requestedBy: row.requested_by,
    reason: orUndefined(row.reason),
    rollbackOf: orUndefined(row.rollback_of),
    releaseId: orUndefined(row.release_id),
    message: orUndefined(row.message),
    exitCode: orUndefined(row.exit_code),
    execution: row.execution ? JSON.parse(row.execution) : undefined,
    ...(row.gates_overridden ? { gatesOverridden: true } : {}),
    ...(row.status === 'awaiting_approval' && row.approval_expires_at
      ? { approvalExpiresAt: iso(row.approval_expires_at) }
      : {}),
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function toLock(row: Row): Lock {
  return {
    id: row.id,
    environment: row.environment,
    entityRef: orUndefined(row.entity_ref),
    deployGroup: orUndefined(row.deploy_group),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
  };
}
