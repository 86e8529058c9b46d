import { ReactNode } from 'react';
import { useAnalytics } from '@backstage/core-plugin-api';
import {
  ResultHighlight,
  SearchDocument,
} from '@backstage/plugin-search-common';
import { HighlightedSearchResultText } from '@backstage/plugin-search-react';
import { SledDeployDocument } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { DeployStatusLabel } from '../common/DeployStatusLabel';
import { SafeLink } from '../common/SafeLink';
import {
  formatDeployStatus,
  formatRelativeTime,
  formatTimestamp,
} from '../common/format';

/**
 * A `sled-deploy` search document, as written by the search collator in
 * `@internal/plugin-search-backend-module-sled-deploys`.
 *
 * @public
 */
export type SledDeploySearchDocument = SledDeployDocument;

/** @public */
export interface SledDeploySearchResultListItemProps {
  result?: SearchDocument;
  highlight?: ResultHighlight;
  rank?: number;
  icon?: ReactNode;
  /** do not send an analytics event on click */
  noTrack?: boolean;
  lineClamp?: number;
}

const useStyles = makeStyles(
  theme => ({
    item: { display: 'flex' },
    content: { flexWrap: 'wrap', width: '100%' },
    itemText: { width: '100%', marginBottom: theme.spacing(1) },
    chips: {
      display: 'flex',
      flexWrap: 'wrap',
      alignItems: 'center',
      gap: theme.spacing(1),
      marginBottom: theme.spacing(2),
    },
  }),
  { name: 'SledDeploySearchResultListItem' },
);

function Highlighted(props: {
  field: 'title' | 'text';
  text: string;
  highlight?: ResultHighlight;
}) {
  const value = props.highlight?.fields[props.field];
  return value ? (
    <HighlightedSearchResultText
      text={value}
      preTag={props.highlight!.preTag}
      postTag={props.highlight!.postTag}
    />
  ) : (
    <>{props.text}</>
  );
}

/**
 * A deploy in the search results: its title links to the service's History
 * tab at that deploy; chips show the status, the environment, the version
 * and when it was requested.
 *
 * @public
 */
export function SledDeploySearchResultListItem(
  props: SledDeploySearchResultListItemProps,
) {
  const classes = useStyles();
  const analytics = useAnalytics();
  const result = props.result as SledDeploySearchDocument | undefined;
  if (!result) return null;

  const onClick = () => {
    if (props.noTrack) return;
    analytics.captureEvent('discover', result.title, {
      attributes: { to: result.location },
      value: props.rank,
    });
  };

  return (
    <div className={classes.item}>
      {props.icon && <ListItemIcon>{props.icon}</ListItemIcon>}
      <div className={classes.content}>
        <ListItemText
          className={classes.itemText}
          primaryTypographyProps={{ variant: 'h6' }}
          primary={
            <SafeLink
              allowAppPaths
              noTrack
              to={result.location}
              onClick={onClick}
            >
              <Highlighted
                field="title"
                text={result.title}
                highlight={props.highlight}
              />
            </SafeLink>
          }
          secondary={
            <Typography
              component="span"
              color="textSecondary"
              variant="body2"
              style={{
                display: '-webkit-box',
                WebkitBoxOrient: 'vertical',
                WebkitLineClamp: props.lineClamp,
                overflow: 'hidden',
              }}
            >
              <Highlighted
                field="text"
                text={result.text}
                highlight={props.highlight}
              />
            </Typography>
          }
        />
        <Box className={classes.chips}>
          <Chip
            size="small"
            variant="outlined"
            label={<DeployStatusLabel status={result.status} />}
            aria-label={`Status: ${formatDeployStatus(result.status)}`}
          />
          <Chip size="small" label={`Environment: ${result.environment}`} />
          <Chip size="small" label={`Version: ${result.version}`} />
          {result.createdAt && (
            <Tooltip title={formatTimestamp(result.createdAt)}>
              <Typography
                component="span"
                variant="caption"
                color="textSecondary"
              >
                <time dateTime={result.createdAt}>
                  {formatRelativeTime(result.createdAt)}
                </time>
              </Typography>
            </Tooltip>
          )}
        </Box>
      </div>
    </div>
  );
}
