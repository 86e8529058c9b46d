import { useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { InfoCard, StatusOK, StatusWarning } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  ACTIVE_DEPLOY_STATUSES,
  Artifact,
  Deploy,
  EnvironmentState,
  sledDeployCancelPermission,
  sledDeployCreatePermission,
  sledLockPermission,
} from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { sledApiRef } from '../../api/SledApi';
import { ActionButton } from '../common/ActionButton';
import { DeployStatusLabel } from '../common/DeployStatusLabel';
import { ErrorAlert } from '../common/ErrorAlert';
import {
  formatRelativeTime,
  formatRequester,
  formatTimestamp,
  shortSha,
} from '../common/format';
import { SafeLink } from '../common/SafeLink';
import { useSledPermission } from '../common/useSledPermission';
import { DeployDialog } from '../DeployDialog/DeployDialog';
import { LockDialog } from './LockDialog';
import { PromotionPanel } from './PromotionPanel';
import { RollbackDialog } from './RollbackDialog';

export interface EnvironmentCardProps {
  entityRef: string;
  environment: EnvironmentState;
  /** all environments, for the deploy dialog */
  environments: EnvironmentState[];
  /** something changed: refresh state; a new deploy becomes the one shown */
  onChanged: (deploy?: Deploy) => void;
  onShowLog: (deploy: Deploy) => void;
  selectedDeployId?: string;
}

function Field(props: { label: string; children: React.ReactNode }) {
  return (
    <Box display="flex" mb={0.5}>
      <Box width={110} flexShrink={0}>
        <Typography variant="body2" color="textSecondary">
          {props.label}
        </Typography>
      </Box>
      <Box flexGrow={1} minWidth={0}>
        {props.children}
      </Box>
    </Box>
  );
}

/** Whether deploys may start now, e.g. "Frozen until Mon 08:00 — weekend freeze". */
function WindowState(props: {
  window: NonNullable<EnvironmentState['window']>;
}) {
  const { open, message, changesAt } = props.window;
  const Status = open ? StatusOK : StatusWarning;
  return (
    <Typography
      variant="body2"
      component="span"
      style={{ display: 'inline-flex', alignItems: 'center' }}
      title={changesAt ? `Changes ${formatTimestamp(changesAt)}` : undefined}
    >
      <Status />
      <span>{message}</span>
    </Typography>
  );
}

/**
 * One environment of a service: what runs there, the last deploy, its deploy
 * window, what may be promoted to it, and the actions.
 */
export function EnvironmentCard(props: EnvironmentCardProps) {
  const { entityRef, environment, environments, onChanged, onShowLog } = props;
  const name = environment.environment;
  const sledApi = useApi(sledApiRef);
  const [dialog, setDialog] = useState<
    'deploy' | 'promote' | 'rollback' | 'lock'
  >();
  const [promoting, setPromoting] = useState<Artifact>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error>();

  const deployPermission = useSledPermission({
    permission: sledDeployCreatePermission,
    entityRef,
    environment: name,
    deniedMessage: `You are not allowed to deploy to ${name}`,
  });
  const cancelPermission = useSledPermission({
    permission: sledDeployCancelPermission,
    entityRef,
    environment: name,
    deniedMessage: `You are not allowed to cancel deploys in ${name}`,
  });
  const lockPermission = useSledPermission({
    permission: sledLockPermission,
    entityRef,
    environment: name,
    deniedMessage: `You are not allowed to lock or unlock ${name}`,
  });

  const { current, lastDeploy, lock } = environment;
  let rollbackUnavailable: string | undefined;
  if (!current) {
    rollbackUnavailable = 'Nothing is deployed here to roll back';
  } else if (!environment.rollbackTarget) {
    rollbackUnavailable = `No earlier version succeeded in ${name}`;
  }
  const active =
    lastDeploy && ACTIVE_DEPLOY_STATUSES.includes(lastDeploy.status)
      ? lastDeploy
      : undefined;

  const run = async (action: () => Promise<Deploy | void>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      const result = await action();
      onChanged(result || undefined);
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title={name} subheader={environment.executor} noPadding={false}>
      <Box mb={1}>
        <ErrorAlert
          error={actionError}
          onClose={() => setActionError(undefined)}
        />
      </Box>
      <Field label="Current">
        {current ? (
          <>
            <Typography variant="body1">
              <strong>{current.artifact.version}</strong>{' '}
              <Typography
                component="span"
                variant="body2"
                color="textSecondary"
                title={current.artifact.commitSha}
              >
                {shortSha(current.artifact.commitSha)}
              </Typography>
            </Typography>
            {current.artifact.mergeRequest && (
              <Typography variant="body2">
                <SafeLink to={current.artifact.mergeRequest.url}>
                  {current.artifact.mergeRequest.title}
                </SafeLink>
                {current.artifact.mergeRequest.mergedAt && (
                  <Typography
                    component="span"
                    variant="body2"
                    color="textSecondary"
                    title={formatTimestamp(
                      current.artifact.mergeRequest.mergedAt,
                    )}
                  >
                    {' '}
                    · merged{' '}
                    {formatRelativeTime(current.artifact.mergeRequest.mergedAt)}
                  </Typography>
                )}
              </Typography>
            )}
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            Nothing deployed yet
          </Typography>
        )}
      </Field>
      <Field label="Last deploy">
        {lastDeploy ? (
          <>
            <DeployStatusLabel
              status={lastDeploy.status}
              dryRun={lastDeploy.dryRun}
            />
            <Typography variant="body2" color="textSecondary">
              {lastDeploy.artifactVersion}
              {lastDeploy.rollbackOf ? ' (rollback)' : ''} by{' '}
              {formatRequester(lastDeploy.requestedBy)},{' '}
              <span title={formatTimestamp(lastDeploy.createdAt)}>
                {formatRelativeTime(lastDeploy.createdAt)}
              </span>
            </Typography>
            {lastDeploy.message && (
              <Typography variant="body2">{lastDeploy.message}</Typography>
            )}
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            No deploys yet
          </Typography>
        )}
      </Field>
      {environment.window && (
        <Field label="Window">
          <WindowState window={environment.window} />
        </Field>
      )}
      {environment.gates?.promotion && (
        <Field label="Promote">
          <PromotionPanel
            entityRef={entityRef}
            environment={environment}
            environments={environments}
            deniedReason={deployPermission.deniedReason}
            onPromote={artifact => {
              setPromoting(artifact);
              setDialog('promote');
            }}
          />
        </Field>
      )}
      {lock && (
        <Box my={1}>
          <Alert severity="warning">
            Locked by {formatRequester(lock.createdBy)}: {lock.reason}
            {lock.expiresAt
              ? ` (until ${formatTimestamp(lock.expiresAt)})`
              : ''}
            {lock.deployGroup && (
              <>
                {' — locked with its deploy group '}
                <EntityRefLink entityRef={lock.deployGroup} />
              </>
            )}
            {lock.entityRef || lock.deployGroup
              ? ''
              : ' — the whole environment is locked'}
          </Alert>
        </Box>
      )}
      <Box display="flex" flexWrap="wrap" mt={1} style={{ gap: 8 }}>
        <ActionButton
          variant="contained"
          color="primary"
          onClick={() => setDialog('deploy')}
          disabledReason={deployPermission.deniedReason}
        >
          Deploy
        </ActionButton>
        <ActionButton
          variant="outlined"
          onClick={() => setDialog('rollback')}
          disabledReason={deployPermission.deniedReason ?? rollbackUnavailable}
        >
          Roll back
        </ActionButton>
        {active && (
          <ActionButton
            variant="outlined"
            color="secondary"
            disabled={busy}
            onClick={() => run(() => sledApi.cancelDeploy(active.id))}
            disabledReason={cancelPermission.deniedReason}
          >
            Cancel deploy
          </ActionButton>
        )}
        {lock ? (
          <ActionButton
            variant="outlined"
            disabled={busy}
            onClick={() => run(() => sledApi.deleteLock(lock.id))}
            disabledReason={
              lock.deployGroup
                ? 'The deploy group is locked: unlock it on its Release tab'
                : lockPermission.deniedReason
            }
          >
            Unlock
          </ActionButton>
        ) : (
          <ActionButton
            variant="outlined"
            onClick={() => setDialog('lock')}
            disabledReason={lockPermission.deniedReason}
          >
            Lock
          </ActionButton>
        )}
        {lastDeploy && lastDeploy.id !== props.selectedDeployId && (
          <ActionButton onClick={() => onShowLog(lastDeploy)}>
            Show log
          </ActionButton>
        )}
      </Box>
      <DeployDialog
        open={dialog === 'deploy'}
        onClose={() => setDialog(undefined)}
        entityRef={entityRef}
        environments={environments}
        environment={name}
        onDeployed={deploy => onChanged(deploy)}
      />
      <DeployDialog
        open={dialog === 'promote' && Boolean(promoting)}
        onClose={() => setDialog(undefined)}
        entityRef={entityRef}
        environments={environments}
        environment={name}
        artifact={promoting}
        title={
          promoting ? `Promote ${promoting.version} to ${name}` : undefined
        }
        onDeployed={deploy => onChanged(deploy)}
      />
      <RollbackDialog
        open={dialog === 'rollback'}
        onClose={() => setDialog(undefined)}
        entityRef={entityRef}
        environment={environment}
        onRolledBack={deploy => onChanged(deploy)}
      />
      <LockDialog
        open={dialog === 'lock'}
        onClose={() => setDialog(undefined)}
        target={{ entityRef }}
        environment={name}
        onLocked={() => onChanged()}
      />
    </InfoCard>
  );
}
