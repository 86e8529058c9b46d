import { useEffect, useId, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  Artifact,
  Deploy,
  EnvironmentState,
} from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Autocomplete from '@material-ui/lab/Autocomplete';
import Alert from '@material-ui/lab/Alert';
import { sledApiRef } from '../../api/SledApi';
import { ArtifactChangeList } from '../common/ArtifactChangeList';
import { ErrorAlert } from '../common/ErrorAlert';
import { formatRelativeTime, shortSha } from '../common/format';
import {
  approvalWait,
  describeApprovalWait,
  mayOverrideGates,
  refusingGates,
} from '../common/gates';
import { useGateReport } from '../common/useGateReport';
import { useArtifactChanges } from '../common/useArtifactChanges';
import { DeployGatesNotice, GateMessages } from './DeployGatesNotice';

/** How many artifacts the picker loads at a time, newest first. */
const ARTIFACT_PAGE_SIZE = 100;

export interface DeployDialogProps {
  open: boolean;
  onClose: () => void;
  entityRef: string;
  /** every environment of the service, from `GET /state` */
  environments: EnvironmentState[];
  /** deploy to this environment; otherwise the user picks one */
  environment?: string;
  /** deploy this artifact; otherwise the user picks one */
  artifact?: Artifact;
  /** environments the user may deploy to; others are shown disabled */
  allowedEnvironments?: ReadonlySet<string>;
  /** instead of "Deploy to <environment>", e.g. for a promotion */
  title?: string;
  onDeployed: (deploy: Deploy) => void;
}

function artifactLabel(artifact: Artifact): string {
  return `${artifact.version} (${shortSha(artifact.commitSha)})`;
}

function useArtifactPages(entityRef: string, enabled: boolean) {
  const sledApi = useApi(sledApiRef);
  const [artifacts, setArtifacts] = useState<Artifact[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();

  const load = async (cursor?: string) => {
    setLoading(true);
    setError(undefined);
    try {
      const page = await sledApi.listArtifacts({
        entityRef,
        limit: ARTIFACT_PAGE_SIZE,
        cursor,
      });
      setArtifacts(previous =>
        cursor ? [...previous, ...page.items] : page.items,
      );
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (enabled) {
      load(undefined);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, entityRef]);

  return {
    artifacts,
    loading,
    error,
    hasMore: Boolean(nextCursor),
    loadMore: () => load(nextCursor),
  };
}

function reasonHelp(
  environment: string | undefined,
  required: boolean,
  overriding: boolean,
): string {
  if (required) {
    return `${environment} requires a reason for every deploy`;
  }
  return overriding ? 'Required to override the release gates' : 'Optional';
}

/**
 * Deploy an artifact to an environment: pick what is missing, optionally a
 * dry run, give a reason where the environment requires one, and confirm the
 * version change for such environments. The release gates are asked before
 * anyone clicks: Deploy stays disabled, with their reasons, while they
 * refuse, unless the user may and does override them (with a reason, again
 * confirmed).
 */
export function DeployDialog(props: DeployDialogProps) {
  const {
    open,
    onClose,
    entityRef,
    environments,
    allowedEnvironments,
    onDeployed,
  } = props;
  const sledApi = useApi(sledApiRef);
  const [environmentName, setEnvironmentName] = useState(
    props.environment ?? '',
  );
  const [picked, setPicked] = useState<Artifact | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [reason, setReason] = useState('');
  const [overrideGates, setOverrideGates] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<Error>();
  const pages = useArtifactPages(entityRef, open && !props.artifact);
  const id = useId();

  // with one environment the user may deploy to, there is nothing to pick
  const onlyAllowed =
    allowedEnvironments?.size === 1 ? [...allowedEnvironments][0] : '';

  useEffect(() => {
    if (open) {
      setEnvironmentName(props.environment ?? onlyAllowed);
      setPicked(null);
      setDryRun(false);
      setReason('');
      setOverrideGates(false);
      setConfirming(false);
      setError(undefined);
    }
  }, [open, props.environment, onlyAllowed]);

  // Offer the newest artifact until the user picks another.
  const artifact = props.artifact ?? picked ?? pages.artifacts[0] ?? null;
  const environment = environments.find(e => e.environment === environmentName);
  const gates = useGateReport(
    open && environment && artifact
      ? {
          entityRef,
          environment: environment.environment,
          artifactId: artifact.id,
        }
      : undefined,
  );
  const changes = useArtifactChanges(
    open && environment && artifact
      ? { artifactId: artifact.id, environment: environment.environment }
      : undefined,
  );
  const { report } = gates;
  const refusing = report ? refusingGates(report) : [];
  const mayOverride = report ? mayOverrideGates(report) : false;
  const overriding = mayOverride && overrideGates;
  const approvals = approvalWait(report, environment?.gates);
  const reasonRequired = Boolean(environment?.requireReason) || overriding;
  const currentVersion = environment?.current?.artifact.version;
  const reasonMissing = reasonRequired && !reason.trim();
  const canSubmit =
    Boolean(environment && artifact) &&
    !reasonMissing &&
    !submitting &&
    !gates.checking &&
    (refusing.length === 0 || overriding);

  const submit = async () => {
    if (!environment || !artifact) return;
    if (reasonRequired && !dryRun && !confirming) {
      setConfirming(true);
      return;
    }
    setSubmitting(true);
    setError(undefined);
    try {
      const deploy = await sledApi.createDeploy({
        entityRef,
        environment: environment.environment,
        artifactId: artifact.id,
        dryRun: dryRun || undefined,
        reason: reason.trim() || undefined,
        overrideGates: overriding || undefined,
      });
      onDeployed(deploy);
      onClose();
    } catch (e) {
      setError(e as Error);
      setConfirming(false);
      // a gate may have closed since it was asked: show what it says now
      gates.retry();
    } finally {
      setSubmitting(false);
    }
  };

  const title =
    props.title ??
    (environment ? `Deploy to ${environment.environment}` : 'Deploy');

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <ErrorAlert error={error} />
        {confirming && environment && artifact ? (
          <Box my={2}>
            <Alert severity="warning">
              <Typography variant="body1" component="div">
                Deploy <strong>{entityRef}</strong> to{' '}
                <strong>{environment.environment}</strong>:{' '}
                <span data-testid="version-change">
                  {currentVersion ?? 'nothing deployed'} → {artifact.version}
                </span>
              </Typography>
              <Typography variant="body2">Reason: {reason.trim()}</Typography>
              {overriding && (
                <>
                  <Typography variant="body2">
                    Overriding the release gates:
                  </Typography>
                  <GateMessages gates={refusing} />
                </>
              )}
              {approvals && (
                <Typography variant="body2">
                  {describeApprovalWait(approvals)}
                </Typography>
              )}
            </Alert>
          </Box>
        ) : (
          <>
            {!props.environment && (
              <TextField
                select
                fullWidth
                id={`${id}-environment`}
                margin="normal"
                label="Environment"
                value={environmentName}
                onChange={e => setEnvironmentName(e.target.value)}
              >
                {environments.map(env => {
                  const allowed =
                    !allowedEnvironments ||
                    allowedEnvironments.has(env.environment);
                  return (
                    <MenuItem
                      key={env.environment}
                      value={env.environment}
                      disabled={!allowed}
                    >
                      {env.environment}
                      {allowed ? '' : ' (not permitted)'}
                      {env.lock ? ' (locked)' : ''}
                    </MenuItem>
                  );
                })}
              </TextField>
            )}
            {props.artifact ? (
              <Typography variant="body1" gutterBottom>
                Artifact <strong>{artifactLabel(props.artifact)}</strong>
                {props.artifact.mergeRequest
                  ? ` — ${props.artifact.mergeRequest.title}`
                  : ''}
              </Typography>
            ) : (
              <>
                <Autocomplete
                  options={pages.artifacts}
                  value={artifact}
                  loading={pages.loading}
                  onChange={(_e, value) => setPicked(value)}
                  getOptionLabel={artifactLabel}
                  getOptionSelected={(a, b) => a.id === b.id}
                  filterOptions={(options, { inputValue }) => {
                    const needle = inputValue.trim().toLocaleLowerCase();
                    if (!needle) return options;
                    return options.filter(a =>
                      [a.version, a.commitSha, a.mergeRequest?.title ?? '']
                        .join(' ')
                        .toLocaleLowerCase()
                        .includes(needle),
                    );
                  }}
                  renderOption={a => (
                    <div>
                      <Typography variant="body2">
                        {artifactLabel(a)}
                        {a.id === environment?.current?.artifact.id
                          ? ' — deployed here'
                          : ''}
                      </Typography>
                      <Typography variant="caption" color="textSecondary">
                        {a.mergeRequest?.title ?? 'no merge request'} · built{' '}
                        {formatRelativeTime(a.createdAt)}
                      </Typography>
                    </div>
                  )}
                  renderInput={params => (
                    <TextField
                      {...params}
                      margin="normal"
                      label="Artifact"
                      placeholder="Search by version, commit or merge request"
                    />
                  )}
                />
                <ErrorAlert error={pages.error} />
                {pages.hasMore && (
                  <Button
                    size="small"
                    onClick={pages.loadMore}
                    disabled={pages.loading}
                  >
                    Load older artifacts
                  </Button>
                )}
              </>
            )}
            {environment && (
              <Typography variant="body2" color="textSecondary">
                Currently deployed: {currentVersion ?? 'nothing'}
              </Typography>
            )}
            {environment && artifact && <ArtifactChangeList {...changes} />}
            {environment && artifact && (
              <DeployGatesNotice
                environment={environment.environment}
                checking={gates.checking}
                error={gates.error}
                refusing={refusing}
                mayOverride={mayOverride}
                override={overriding}
                onOverrideChange={setOverrideGates}
                approvals={approvals}
              />
            )}
            {environment?.lock && (
              <Box mt={1}>
                <Alert severity="warning">
                  {environment.environment} is locked: {environment.lock.reason}
                </Alert>
              </Box>
            )}
            <FormControlLabel
              control={
                <Switch
                  checked={dryRun}
                  onChange={e => setDryRun(e.target.checked)}
                  color="primary"
                />
              }
              label="Dry run"
            />
            <TextField
              fullWidth
              id={`${id}-reason`}
              margin="normal"
              label="Reason"
              value={reason}
              required={reasonRequired}
              helperText={reasonHelp(
                environment?.environment,
                Boolean(environment?.requireReason),
                overriding,
              )}
              onChange={e => setReason(e.target.value)}
            />
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button
          onClick={confirming ? () => setConfirming(false) : onClose}
          disabled={submitting}
        >
          {confirming ? 'Back' : 'Close'}
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={!canSubmit}
        >
          {confirming ? 'Confirm deploy' : 'Deploy'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
