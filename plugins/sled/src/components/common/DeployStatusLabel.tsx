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
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  root: { display: 'inline-flex', alignItems: 'center', whiteSpace: 'nowrap' },
});

const STATUS_COMPONENTS: Record<
  DeployStatus,
  (props: { children?: ReactNode }) => JSX.Element
> = {
  queued: StatusPending,
  running: StatusRunning,
  succeeded: StatusOK,
  failed: StatusError,
  cancelled: StatusAborted,
  // its Job vanished: the outcome is unknown, someone should look
  lost: StatusWarning,
  skipped: StatusWarning,
};

/**
 * The status icon followed by the plain status word, e.g. "running". The
 * core Status components hide their content from assistive technology, so
 * the word sits beside the icon rather than inside it.
 */
export function DeployStatusLabel(props: {
  status: DeployStatus;
  dryRun?: boolean;
}) {
  const Status = STATUS_COMPONENTS[props.status] ?? StatusPending;
  return (
    <Typography component="span" variant="body2" className={useStyles().root}>
      <Status />
      <span>{props.status}</span>
      {props.dryRun && (
        <Typography component="span" variant="caption" color="textSecondary">
          {' '}
          (dry run)
        </Typography>
      )}
    </Typography>
  );
}
