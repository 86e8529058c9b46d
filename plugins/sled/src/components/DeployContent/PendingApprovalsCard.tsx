import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  ApprovalList,
  Deploy,
  sledServiceChannel,
} from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { sledApiRef } from '../../api/SledApi';
import { ApprovalControls, ApprovalDecision } from '../common/ApprovalControls';
import { ApprovalDecisions, approvedCount } from '../common/ApprovalDecisions';
import { ErrorAlert } from '../common/ErrorAlert';
import {
  formatDeployStatus,
  formatRelativeTime,
  formatRequester,
  formatTimestamp,
} from '../common/format';
import { plural } from '../common/gates';
import { useLiveQuery } from '../common/useLiveQuery';

/** How many deploys awaiting approval the card lists, oldest request last. */
const PENDING_LIMIT = 20;
/**
 * Without signals: how often the list is fetched again while it holds
 * anything (other people approve, approvals expire).
 */
export const PENDING_POLL_INTERVAL_MS = 15_000;

/** What the user's decision did, in a sentence. */
function describeDecision(
  decision: ApprovalDecision,
  after: Deploy,
  before: ApprovalList | undefined,
): string {
  const what = `${after.artifactVersion} to ${after.environment}`;
  if (decision === 'reject') {
    return `You rejected ${what}: it will not run.`;
  }
  if (after.status !== 'awaiting_approval') {
    return `You approved ${what}: it is ${formatDeployStatus(after.status)}.`;
  }
  const remaining = before
    ? before.required - approvedCount(before) - 1
    : undefined;
  return remaining && remaining > 0
    ? `You approved ${what}: it waits for ${plural(
        remaining,
        'more approval',
      )}.`
    : `You approved ${what}: it waits for more approvals.`;
}

/** One deploy awaiting approval, its approvals so far, and the decision. */
function PendingApproval(props: {
  deploy: Deploy;
  /** fetch the approvals again when this changes */
  refreshKey: unknown;
  onDecided: (deploy: Deploy, message: string) => void;
}) {
  const { deploy, refreshKey, onDecided } = props;
  const sledApi = useApi(sledApiRef);
  const approvals = useAsyncRetry(
    () => sledApi.listDeployApprovals(deploy.id),
    [sledApi, deploy.id, refreshKey],
  );
  const [decision, decide] = useAsyncFn(
    async (choice: ApprovalDecision, comment?: string) => {
      const after = await sledApi.decideDeployApproval(deploy.id, {
        decision: choice,
        comment,
      });
      onDecided(after, describeDecision(choice, after, approvals.value));
      return after;
    },
    [sledApi, deploy.id, approvals.value, onDecided],
  );
  const list = approvals.value;
  const expiresAt = deploy.approvalExpiresAt ?? list?.expiresAt;

  return (
    <Box
      role="group"
      aria-label={`${deploy.artifactVersion} to ${deploy.environment}`}
      py={1.5}
      borderBottom={1}
      borderColor="divider"
    >
      <Typography variant="body1">
        <strong>{deploy.artifactVersion}</strong>
        {deploy.rollbackOf ? ' (rollback)' : ''} to{' '}
        <strong>{deploy.environment}</strong>
      </Typography>
      <Typography variant="body2" color="textSecondary">
        Requested by {formatRequester(deploy.requestedBy)}{' '}
        <span title={formatTimestamp(deploy.createdAt)}>
          {formatRelativeTime(deploy.createdAt)}
        </span>
        {expiresAt && (
          <>
            {' · expires '}
            <span title={formatTimestamp(expiresAt)}>
              {formatRelativeTime(expiresAt)}
            </span>
          </>
        )}
      </Typography>
      {deploy.reason && (
        <Typography variant="body2">Reason: {deploy.reason}</Typography>
      )}
      <Box mt={1}>
        {approvals.loading && !list && <Progress />}
        <ErrorAlert error={approvals.error} />
        {list && <ApprovalDecisions approvals={list} />}
      </Box>
      {list && (
        <ApprovalControls
          approvals={list}
          busy={decision.loading}
          onDecide={decide}
        />
      )}
      <ErrorAlert error={decision.error} />
    </Box>
  );
}

/**
 * The deploys of a service that wait for approval, with Approve and Reject
 * for those the backend says may decide. Renders nothing while none wait.
 */
export function PendingApprovalsCard(props: {
  entityRef: string;
  /** fetch again when this changes, e.g. after a deploy was requested */
  refreshKey: unknown;
  onDecided: (deploy: Deploy, message: string) => void;
}) {
  const { entityRef, refreshKey, onDecided } = props;
  const sledApi = useApi(sledApiRef);
  // fresh on the service's signals (a deploy requested or decided
  // elsewhere); without signals, polled while any waits
  const pending = useLiveQuery(
    () =>
      sledApi.listDeploys({
        entityRef,
        status: ['awaiting_approval'],
        limit: PENDING_LIMIT,
      }),
    JSON.stringify(['pending', entityRef, String(refreshKey)]),
    {
      channels: [sledServiceChannel(entityRef)],
      pollDelayMs: page =>
        page.items.length ? PENDING_POLL_INTERVAL_MS : undefined,
    },
  );
  const items = pending.value?.items ?? [];
  const waiting = items.length > 0;

  if (!waiting && !pending.error) {
    return null;
  }
  return (
    <Box mt={3}>
      <InfoCard
        title="Awaiting approval"
        subheader={
          waiting
            ? `${plural(items.length, 'deploy')} of this service ${
                items.length === 1 ? 'waits' : 'wait'
              } for approval`
            : undefined
        }
      >
        <ErrorAlert error={pending.error} />
        {items.map(deploy => (
          <PendingApproval
            key={deploy.id}
            deploy={deploy}
            refreshKey={pending.value}
            onDecided={onDecided}
          />
        ))}
      </InfoCard>
    </Box>
  );
}
