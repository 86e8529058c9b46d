import { Chip, Tooltip, Typography, makeStyles } from '@material-ui/core';
import LockIcon from '@material-ui/icons/Lock';
import { DeploymentEnvironment } from '@internal/plugin-sled-common';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  env: {
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1, 1.5),
    minWidth: 180,
  },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
}));

/** Per environment: its deploy window now, approvals waiting and environment-wide locks. */
export function EnvironmentSummary(props: {
  environments: DeploymentEnvironment[];
}) {
  const classes = useStyles();
  return (
    <div className={classes.root} data-testid="sled-deployments-environments">
      {props.environments.map(env => (
        <div key={env.name} className={classes.env}>
          <Typography variant="subtitle2">{env.name}</Typography>
          {env.promotionFrom && (
            <Typography variant="caption" color="textSecondary" component="div">
              promoted from {env.promotionFrom}
            </Typography>
          )}
          <div className={classes.chips}>
            {env.window && (
              <Tooltip title={env.window.message}>
                <Chip
                  size="small"
                  color={env.window.open ? 'default' : 'secondary'}
                  label={env.window.open ? 'window open' : 'frozen'}
                />
              </Tooltip>
            )}
            {env.pendingApprovals > 0 && (
              <Chip
                size="small"
                color="primary"
                label={`${env.pendingApprovals} awaiting approval`}
              />
            )}
            {env.locks.map(lock => (
              <Tooltip
                key={lock.id}
                title={`${lock.reason} (${lock.createdBy})`}
              >
                <Chip size="small" icon={<LockIcon />} label="locked" />
              </Tooltip>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
