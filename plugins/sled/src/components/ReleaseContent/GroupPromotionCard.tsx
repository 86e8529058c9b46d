import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Artifact,
  Environment,
  GateReport,
  ServiceState,
} from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { sledApiRef } from '../../api/SledApi';
import { ActionButton } from '../common/ActionButton';
import { describeError } from '../common/ErrorAlert';
import { formatMinutes } from '../common/format';
import { approvalWait, plural, refusingGates } from '../common/gates';

/** One member's readiness to be promoted from the environment before. */
interface MemberPromotion {
  entityRef: string;
  /** what runs in the `from` environment */
  candidate?: Artifact;
  /** minutes since it succeeded there */
  soakedMinutes?: number;
  /** it runs in the target environment already */
  alreadyThere: boolean;
  /** why it may not go yet, from the release gates */
  notReady?: string;
  report?: GateReport;
}

/**
 * One environment of a deploy group's promotion path: what every member
 * runs in the environment before, whether the release gates let it go on
 * (soak, windows, checks), and a Promote action that releases exactly those
 * artifacts to the environment as one release — which then asks for
 * approval once, if the environment wants approvals.
 */
function EnvironmentPromotion(props: {
  environment: Environment;
  members: string[];
  states: ServiceState[];
  deniedReason?: string;
  onPromote: (environment: string, artifacts: Record<string, string>) => void;
}) {
  const { environment, members, states } = props;
  const sledApi = useApi(sledApiRef);
  const from = environment.gates?.promotion?.from ?? '';
  const plan = useAsync(async (): Promise<MemberPromotion[]> => {
    return Promise.all(
      members.map(async entityRef => {
        const state = states.find(s => s.entityRef === entityRef);
        const inFrom = state?.environments.find(
          e => e.environment === from,
        )?.current;
        const here = state?.environments.find(
          e => e.environment === environment.name,
        )?.current;
        if (!inFrom) {
          return {
            entityRef,
            alreadyThere: false,
            notReady: `nothing runs in ${from}`,
          };
        }
        const soakedMinutes = inFrom.deploy.finishedAt
          ? (Date.now() - Date.parse(inFrom.deploy.finishedAt)) / 60_000
          : undefined;
        if (here?.artifact.id === inFrom.artifact.id) {
          return {
            entityRef,
            candidate: inFrom.artifact,
            soakedMinutes,
            alreadyThere: true,
          };
        }
        const report = await sledApi.getGates({
          entityRef,
          environment: environment.name,
          artifactId: inFrom.artifact.id,
        });
        const refusing = refusingGates(report).filter(
          g => g.name !== 'approvals',
        );
        return {
          entityRef,
          candidate: inFrom.artifact,
          soakedMinutes,
          alreadyThere: false,
          report,
          notReady: refusing[0]?.message,
        };
      }),
    );
  }, [sledApi, members, states, environment.name, from]);

  if (plan.loading && !plan.value) return <Progress />;
  if (plan.error) {
    return (
      <Typography variant="body2" color="textSecondary">
        Could not check the release gates: {describeError(plan.error)}
      </Typography>
    );
  }
  const rows = plan.value ?? [];
  const toPromote = rows.filter(r => r.candidate && !r.alreadyThere);
  const blocked = rows.filter(r => r.notReady);
  const approvals = approvalWait(
    toPromote.find(r => r.report)?.report,
    environment.gates,
  );
  let notReady: string | undefined;
  if (!toPromote.length) {
    notReady = `Nothing to promote: ${environment.name} runs what ${from} runs`;
  } else if (blocked.length) {
    notReady = `Not ready: ${blocked[0].entityRef.replace(
      /^component:default\//,
      '',
    )}: ${blocked[0].notReady}`;
  }
  return (
    <Box role="group" aria-label={`Promote to ${environment.name}`} mb={2}>
      <Typography variant="subtitle2">
        {from} → {environment.name}
      </Typography>
      {rows.map(r => (
        <Typography key={r.entityRef} variant="body2" component="div">
          <EntityRefLink entityRef={r.entityRef} defaultKind="component" />:{' '}
          {r.candidate ? (
            <>
              {from} runs <strong>{r.candidate.version}</strong>
              {r.soakedMinutes !== undefined &&
                `, soaked ${formatMinutes(r.soakedMinutes)}`}
              {r.alreadyThere && ` — ${environment.name} runs it too`}
              {r.notReady && ` — not ready: ${r.notReady}`}
            </>
          ) : (
            <>not ready: {r.notReady}</>
          )}
        </Typography>
      ))}
      <Box mt={1} display="flex" alignItems="center" style={{ gap: 8 }}>
        <ActionButton
          variant="outlined"
          color="primary"
          disabledReason={props.deniedReason ?? notReady}
          onClick={() =>
            props.onPromote(
              environment.name,
              Object.fromEntries(
                rows
                  .filter(r => r.candidate)
                  .map(r => [r.entityRef, r.candidate!.id]),
              ),
            )
          }
        >
          Promote group to {environment.name}
        </ActionButton>
        {approvals && !notReady && (
          <Typography variant="caption" color="textSecondary">
            {approvals.required
              ? `waits for ${plural(
                  approvals.required,
                  'approval',
                )}, once for the release`
              : 'waits for approval, once for the release'}
          </Typography>
        )}
      </Box>
    </Box>
  );
}

/**
 * The Release tab's promotion card: for every environment with
 * `promotion.from`, what the group's members run in the environment before
 * and whether all of it may go on. Renders nothing without such
 * environments.
 */
export function GroupPromotionCard(props: {
  environments: Environment[];
  members: string[];
  states: ServiceState[];
  deniedReason?: string;
  onPromote: (environment: string, artifacts: Record<string, string>) => void;
}) {
  const targets = props.environments.filter(e => e.gates?.promotion?.from);
  if (!targets.length) return null;
  return (
    <InfoCard title="Promotion">
      {targets.map(environment => (
        <EnvironmentPromotion
          key={environment.name}
          environment={environment}
          members={props.members}
          states={props.states}
          deniedReason={props.deniedReason}
          onPromote={props.onPromote}
        />
      ))}
    </InfoCard>
  );
}
