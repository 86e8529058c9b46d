import { useApi } from '@backstage/core-plugin-api';
import { Progress, StructuredMetadataTable } from '@backstage/core-components';
import { ACTIVE_DEPLOY_STATUSES, Deploy } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sledApiRef } from '../../api/SledApi';
import { DeployLog } from '../DeployLog/DeployLog';
import { DeployApprovals } from './DeployApprovals';
import { DeployStatusLabel } from '../common/DeployStatusLabel';
import { ArtifactChangeList } from '../common/ArtifactChangeList';
import { ErrorAlert } from '../common/ErrorAlert';
import {
  deployDurationMs,
  formatDuration,
  formatRequester,
  formatTimestamp,
} from '../common/format';
import { useArtifactChanges } from '../common/useArtifactChanges';

function describe(deploy: Deploy) {
  const duration = deployDurationMs(deploy);
  const execution = deploy.execution;
  return {
    status: <DeployStatusLabel status={deploy.status} dryRun={deploy.dryRun} />,
    environment: deploy.environment,
    version: deploy.artifactVersion,
    'requested by': formatRequester(deploy.requestedBy),
    reason: deploy.reason ?? '–',
    ...(deploy.message ? { message: deploy.message } : {}),
    ...(deploy.rollbackOf ? { 'rollback of': deploy.rollbackOf } : {}),
    ...(deploy.force ? { forced: 'yes (lock overridden)' } : {}),
    ...(deploy.gatesOverridden
      ? { gates: 'overridden: deployed past a refusing release gate' }
      : {}),
    ...(deploy.status === 'awaiting_approval' && deploy.approvalExpiresAt
      ? { 'approval expires': formatTimestamp(deploy.approvalExpiresAt) }
      : {}),
    created: formatTimestamp(deploy.createdAt),
    started: deploy.startedAt ? formatTimestamp(deploy.startedAt) : '–',
    finished: deploy.finishedAt ? formatTimestamp(deploy.finishedAt) : '–',
    duration: duration === undefined ? '–' : formatDuration(duration),
    ...(deploy.exitCode !== undefined ? { 'exit code': deploy.exitCode } : {}),
    ...(execution
      ? {
          executor: [
            execution.executor,
            execution.cluster,
            execution.namespace,
            execution.jobName ?? execution.handle,
          ]
            .filter(Boolean)
            .join(' / '),
        }
      : {}),
  };
}

/** One deploy with all its details and its full (or live) log. */
export function DeployDetailDialog(props: {
  deployId?: string;
  onClose: () => void;
}) {
  const { deployId, onClose } = props;
  const sledApi = useApi(sledApiRef);
  const {
    value: deploy,
    loading,
    error,
    retry,
  } = useAsyncRetry(
    async () => (deployId ? sledApi.getDeploy(deployId) : undefined),
    [sledApi, deployId],
  );
  const active = deploy
    ? ACTIVE_DEPLOY_STATUSES.includes(deploy.status)
    : false;
  const changes = useArtifactChanges(
    deploy
      ? {
          artifactId: deploy.artifactId,
          environment: deploy.environment,
          deployId: deploy.id,
        }
      : undefined,
  );

  return (
    <Dialog open={Boolean(deployId)} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>
        {deploy
          ? `Deploy of ${deploy.artifactVersion} to ${deploy.environment}`
          : 'Deploy'}
      </DialogTitle>
      <DialogContent>
        {loading && !deploy && <Progress />}
        <ErrorAlert error={error} />
        {deploy && (
          <>
            <StructuredMetadataTable metadata={describe(deploy)} dense />
            <DeployApprovals deploy={deploy} />
            <ArtifactChangeList {...changes} />
            <Box mt={2}>
              <DeployLog
                key={deploy.id}
                deployId={deploy.id}
                follow={active}
                onFollowEnd={retry}
              />
            </Box>
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
