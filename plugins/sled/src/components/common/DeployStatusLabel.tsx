import type { JSX, ReactNode } from 'react';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { DeployStatus } from '@internal/plugin-sled-common';
import { formatDeployStatus } from './format';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  root: { display: 'inline-flex', alignItems: 'center', whiteSpace: 'nowrap' },
});

const STATUS_COMPONENTS: Record<
  DeployStatus,
  (props: { children?: ReactNode }) => JSX.Element
> = {
  // waits for people, not for a runner
  awaiting_approval: StatusPending,
  queued: StatusPending,
  running: StatusRunning,
  succeeded: StatusOK,
  failed: StatusError,
  cancelled: StatusAborted,
  // its Job vanished: the outcome is unknown, someone should look
  lost: StatusWarning,
  // both ended it before it ran: an approver said no, or nobody said yes in time
  rejected: StatusError,
  expired: StatusAborted,
  skipped: StatusWarning,
};

/**
 * The status icon followed by the plain status words, e.g. "running" or
 * "awaiting approval". The core Status components hide their content from
 * assistive technology, so the words sit beside the icon rather than inside it.
 */
export function DeployStatusLabel(props: {
  status: DeployStatus;
  dryRun?: boolean;
}) {
  const Status = STATUS_COMPONENTS[props.status] ?? StatusPending;
  return (
    <Typography component="span" variant="body2" className={useStyles().root}>
      <Status />
      <span>{formatDeployStatus(props.status)}</span>
      {props.dryRun && (
        <Typography component="span" variant="caption" color="textSecondary">
          {' '}
          (dry run)
        </Typography>
      )}
    </Typography>
  );
}
