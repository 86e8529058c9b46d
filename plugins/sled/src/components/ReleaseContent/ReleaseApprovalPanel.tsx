import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Release } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sledApiRef } from '../../api/SledApi';
import { ApprovalControls, ApprovalDecision } from '../common/ApprovalControls';
import { ApprovalDecisions } from '../common/ApprovalDecisions';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatRelativeTime, formatTimestamp } from '../common/format';

/**
 * A release awaiting approval: asked once for all its members. Shows the
 * decisions so far and, to those the backend says may decide, Approve and
 * Reject with an optional comment; otherwise why they may not.
 */
export function ReleaseApprovalPanel(props: {
  release: Release;
  /** the release changed: read it again */
  onDecided: () => void;
}) {
  const { release, onDecided } = props;
  const sledApi = useApi(sledApiRef);
  const approvals = useAsyncRetry(
    () => sledApi.listReleaseApprovals(release.id),
    [sledApi, release.id, release.status],
  );
  const [decision, decide] = useAsyncFn(
    async (choice: ApprovalDecision, comment?: string) => {
      const after = await sledApi.decideReleaseApproval(release.id, {
        decision: choice,
        comment,
      });
      approvals.retry();
      onDecided();
      return after;
    },
    [sledApi, release.id, onDecided],
  );
  const list = approvals.value;
  const expiresAt = release.approvalExpiresAt ?? list?.expiresAt;
  return (
    <Box
      role="group"
      aria-label="Release approvals"
      mb={2}
      p={1.5}
      border={1}
      borderColor="divider"
      borderRadius={4}
    >
      <Typography variant="body1">
        <strong>Waiting for approval</strong>, once for the whole release
        {expiresAt && (
          <>
            {' · expires '}
            <span title={formatTimestamp(expiresAt)}>
              {formatRelativeTime(expiresAt)}
            </span>
          </>
        )}
      </Typography>
      <Box mt={1}>
        {approvals.loading && !list && <Progress />}
        <ErrorAlert error={approvals.error} />
        {list && <ApprovalDecisions approvals={list} />}
      </Box>
      {list && (
        <ApprovalControls
          approvals={list}
          busy={decision.loading}
          subject="release"
          onDecide={decide}
        />
      )}
      <ErrorAlert error={decision.error} />
    </Box>
  );
}
