import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Progress } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { sledApiRef } from '../../api/SledApi';
import { ErrorAlert } from '../common/ErrorAlert';

const useStyles = makeStyles(theme => ({
  log: {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: '0.8rem',
    lineHeight: 1.5,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
    margin: 0,
    padding: theme.spacing(1.5),
    minHeight: 120,
    maxHeight: 480,
    overflow: 'auto',
    backgroundColor: theme.palette.type === 'dark' ? '#111' : '#1e1e1e',
    color: '#e6e6e6',
    borderRadius: theme.shape.borderRadius,
  },
}));

/** Stick to the bottom unless the user scrolled up to read. */
const STICKY_THRESHOLD_PX = 24;

export interface DeployLogProps {
  deployId: string;
  /** true while the deploy is queued or running: stream the log as it grows */
  follow: boolean;
  /** called when a followed log stream ends, i.e. the deploy finished */
  onFollowEnd?: () => void;
}

/**
 * The log of one deploy in a monospace box. A running deploy's log is
 * streamed and the view follows the newest line.
 */
export function DeployLog(props: DeployLogProps) {
  const { deployId, follow, onFollowEnd } = props;
  const classes = useStyles();
  const sledApi = useApi(sledApiRef);
  const [text, setText] = useState('');
  const [loading, setLoading] = useState(true);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<Error>();
  const logRef = useRef<HTMLPreElement>(null);
  const sticky = useRef(true);
  // Read the latest values inside the effect without restarting the stream.
  const followRef = useRef(follow);
  followRef.current = follow;
  const onFollowEndRef = useRef(onFollowEnd);
  onFollowEndRef.current = onFollowEnd;

  useEffect(() => {
    const controller = new AbortController();
    setText('');
    setError(undefined);
    setLoading(true);
    sticky.current = true;

    if (followRef.current) {
      setStreaming(true);
      sledApi
        .followDeployLogs(
          deployId,
          chunk => {
            setLoading(false);
            setText(previous => previous + chunk);
          },
          controller.signal,
        )
        .then(
          () => {
            if (controller.signal.aborted) return;
            setLoading(false);
            setStreaming(false);
            onFollowEndRef.current?.();
          },
          e => {
            if (controller.signal.aborted) return;
            setLoading(false);
            setStreaming(false);
            setError(e);
          },
        );
    } else {
      setStreaming(false);
      sledApi.getDeployLogs(deployId).then(
        full => {
          if (controller.signal.aborted) return;
          setText(full);
          setLoading(false);
        },
        e => {
          if (controller.signal.aborted) return;
          setError(e);
          setLoading(false);
        },
      );
    }
    return () => controller.abort();
  }, [sledApi, deployId]);

  useLayoutEffect(() => {
    const element = logRef.current;
    if (element && sticky.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [text]);

  const onScroll = () => {
    const element = logRef.current;
    if (element) {
      sticky.current =
        element.scrollHeight - element.scrollTop - element.clientHeight <
        STICKY_THRESHOLD_PX;
    }
  };

  return (
    <div>
      <ErrorAlert error={error} />
      {loading && <Progress />}
      <pre
        ref={logRef}
        className={classes.log}
        role="log"
        aria-label="Deploy log"
        aria-busy={streaming}
        // a scrollable region must be reachable by keyboard to be scrolled
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        onScroll={onScroll}
      >
        {text}
      </pre>
      {!loading && !text && !error && (
        <Typography variant="body2" color="textSecondary">
          {streaming
            ? 'Waiting for output…'
            : 'This deploy produced no output.'}
        </Typography>
      )}
      {streaming && text && (
        <Typography variant="caption" color="textSecondary">
          Following the log…
        </Typography>
      )}
    </div>
  );
}
