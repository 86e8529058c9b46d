import { Artifact, EnvironmentState } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ActionButton } from '../common/ActionButton';
import { describeError } from '../common/ErrorAlert';
import { formatMinutes, formatTimestamp } from '../common/format';
import {
  approvalWait,
  mayOverrideGates,
  plural,
  refusingGates,
} from '../common/gates';
import { useGateReport } from '../common/useGateReport';
import { GateMessages } from '../DeployDialog/DeployGatesNotice';

/**
 * What an environment with `promotion.from` may take from the environment
 * before it: "staging runs 1.4.2, soaked 42 min → Promote to production",
 * or what is not ready yet and why, as the release gates say.
 */
export function PromotionPanel(props: {
  entityRef: string;
  /** the environment promoted to; it has `gates.promotion` */
  environment: EnvironmentState;
  environments: EnvironmentState[];
  /** why the user may not deploy to this environment, if they may not */
  deniedReason?: string;
  onPromote: (artifact: Artifact) => void;
}) {
  const { entityRef, environment, environments } = props;
  const name = environment.environment;
  const fromName = environment.gates?.promotion?.from ?? '';
  const candidate = environments.find(e => e.environment === fromName)?.current;
  const alreadyHere =
    candidate && environment.current?.artifact.id === candidate.artifact.id;
  const gates = useGateReport(
    candidate && !alreadyHere
      ? { entityRef, environment: name, artifactId: candidate.artifact.id }
      : undefined,
  );

  if (!candidate) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nothing runs in {fromName} yet to promote to {name}.
      </Typography>
    );
  }
  const version = candidate.artifact.version;
  if (alreadyHere) {
    return (
      <Typography variant="body2" color="textSecondary">
        {name} runs {version}, as {fromName} does.
      </Typography>
    );
  }

  const succeededAt = candidate.deploy.finishedAt;
  const soaked = succeededAt
    ? `, soaked ${formatMinutes(
        (Date.now() - Date.parse(succeededAt)) / 60_000,
      )}`
    : '';
  const { report } = gates;
  const refusing = report ? refusingGates(report) : [];
  const mayOverride = report ? mayOverrideGates(report) : false;
  const approvals = report && approvalWait(report, environment.gates);

  let notReady: string | undefined;
  if (gates.checking) {
    notReady = 'Checking the release gates…';
  } else if (refusing.length > 0 && !mayOverride) {
    notReady = `Not ready: ${refusing[0].message}`;
  }

  return (
    <Box>
      <Typography variant="body2">
        <span
          title={succeededAt && `succeeded ${formatTimestamp(succeededAt)}`}
        >
          {fromName} runs <strong>{version}</strong>
          {soaked}
        </span>
        {refusing.length > 0 ? ' — not ready yet:' : ' →'}
      </Typography>
      {refusing.length > 0 && <GateMessages gates={refusing} />}
      {gates.error && (
        <Typography variant="body2" color="textSecondary">
          Could not check the release gates: {describeError(gates.error)}
        </Typography>
      )}
      <Box mt={0.5} display="flex" alignItems="center" style={{ gap: 8 }}>
        <ActionButton
          variant="outlined"
          color="primary"
          onClick={() => props.onPromote(candidate.artifact)}
          disabledReason={props.deniedReason ?? notReady}
        >
          Promote to {name}
        </ActionButton>
        {approvals && refusing.length === 0 && (
          <Typography variant="caption" color="textSecondary">
            {approvals.required
              ? `waits for ${plural(approvals.required, 'approval')}`
              : 'waits for approval'}
          </Typography>
        )}
        {mayOverride && (
          <Typography variant="caption" color="textSecondary">
            you may override the gates
          </Typography>
        )}
      </Box>
    </Box>
  );
}
