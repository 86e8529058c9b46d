import { Gate } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { describeError } from '../common/ErrorAlert';
import { ApprovalWait, describeApprovalWait } from '../common/gates';

/** The messages of refusing gates, one per line. */
export function GateMessages(props: { gates: Gate[] }) {
  return (
    <Box component="ul" m={0} pl={2.5}>
      {props.gates.map(gate => (
        <li key={gate.name}>
          <Typography variant="body2">{gate.message}</Typography>
        </li>
      ))}
    </Box>
  );
}

/**
 * What the release gates say of the deploy about to be requested: that they
 * are being checked, why they refuse it (and the override, for those who
 * may), or that it will wait for approvals.
 */
export function DeployGatesNotice(props: {
  environment: string;
  checking: boolean;
  /** the gates could not be checked: the backend checks them on deploy */
  error?: Error;
  refusing: Gate[];
  /** the caller may override every refusing gate */
  mayOverride: boolean;
  override: boolean;
  onOverrideChange: (override: boolean) => void;
  approvals?: ApprovalWait;
}) {
  const { environment, checking, error, refusing, mayOverride, override } =
    props;
  if (checking) {
    return (
      <Box my={1}>
        <Typography variant="body2" color="textSecondary">
          Checking the release gates of {environment}…
        </Typography>
      </Box>
    );
  }
  return (
    <>
      {error && (
        <Box my={1}>
          <Alert severity="warning">
            Could not check the release gates of {environment}:{' '}
            {describeError(error)}. They are checked again when you deploy.
          </Alert>
        </Box>
      )}
      {refusing.length > 0 && (
        <Box my={1}>
          <Alert severity={override ? 'warning' : 'error'}>
            <AlertTitle>
              {override
                ? 'Overriding the release gates'
                : `Not allowed to deploy this to ${environment} now`}
            </AlertTitle>
            <GateMessages gates={refusing} />
          </Alert>
          {mayOverride && (
            <>
              <FormControlLabel
                control={
                  <Checkbox
                    checked={override}
                    onChange={e => props.onOverrideChange(e.target.checked)}
                  />
                }
                label="Override gates"
              />
              <FormHelperText>
                Deploy anyway: a reason is required and the override is audited.
                Approvals still apply.
              </FormHelperText>
            </>
          )}
        </Box>
      )}
      {props.approvals && (refusing.length === 0 || override) && (
        <Box my={1}>
          <Alert severity="info">{describeApprovalWait(props.approvals)}</Alert>
        </Box>
      )}
    </>
  );
}
