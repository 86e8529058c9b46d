import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Artifact, Environment, Release } from '@internal/plugin-sled-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { sledApiRef } from '../../api/SledApi';
import { ErrorAlert } from '../common/ErrorAlert';
import { shortSha } from '../common/format';

export interface ReleaseDialogProps {
  open: boolean;
  onClose: () => void;
  deployGroup: string;
  members: string[];
  environments: Environment[];
  onReleased: (release: Release) => void;
  /**
   * A promotion: the environment, and the artifact each member runs in the
   * environment before it (chosen instead of the newest).
   */
  preset?: { environment: string; artifacts: Record<string, string> };
}

/** Why a member without an artifact is not in the release, and how it gets one. */
const NO_ARTIFACT_YET =
  'Not released: no artifact registered yet. CI registers one with POST /api/sled/artifacts.';

/**
 * Environment, one artifact per member (newest preselected), dry run and
 * reason; submits `POST /releases`. Members without a registered artifact
 * are left out of the release, each saying so.
 */
export function ReleaseDialog(props: ReleaseDialogProps) {
  const {
    open,
    onClose,
    deployGroup,
    members,
    environments,
    onReleased,
    preset,
  } = props;
  const sledApi = useApi(sledApiRef);
  const [environment, setEnvironment] = useState(environments[0]?.name ?? '');
  const [artifacts, setArtifacts] = useState<Record<string, Artifact[]>>({});
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [dryRun, setDryRun] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error>();
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (!open) return undefined;
    let cancelled = false;
    Promise.all(
      members.map(
        async ref =>
          [
            ref,
            (await sledApi.listArtifacts({ entityRef: ref, limit: 20 })).items,
          ] as const,
      ),
    ).then(
      entries => {
        if (cancelled) return;
        setArtifacts(Object.fromEntries(entries));
        setChosen(
          preset
            ? preset.artifacts
            : Object.fromEntries(
                entries.flatMap(([ref, items]) =>
                  items[0] ? [[ref, items[0].id]] : [],
                ),
              ),
        );
      },
      e => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [open, members, sledApi, preset]);

  useEffect(() => {
    if (open && preset) setEnvironment(preset.environment);
  }, [open, preset]);

  const requireReason = environments.find(
    e => e.name === environment,
  )?.requireReason;
  const loaded = members.every(ref => artifacts[ref] !== undefined);
  const withoutArtifact = members.filter(ref => artifacts[ref]?.length === 0);
  // only members with an artifact: `chosen` never holds the others
  const released = members.filter(ref => chosen[ref]);
  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      const release = await sledApi.createRelease({
        deployGroup,
        environment,
        artifacts: Object.fromEntries(released.map(ref => [ref, chosen[ref]])),
        dryRun,
        reason: reason.trim() || undefined,
      });
      onReleased(release);
      onClose();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="sm"
      aria-labelledby="sled-release-title"
    >
      <DialogTitle id="sled-release-title">Release {deployGroup}</DialogTitle>
      <DialogContent>
        <ErrorAlert error={error} onClose={() => setError(undefined)} />
        <TextField
          select
          fullWidth
          margin="normal"
          label="Environment"
          value={environment}
          onChange={e => setEnvironment(e.target.value)}
        >
          {environments.map(env => (
            <MenuItem key={env.name} value={env.name}>
              {env.name}
            </MenuItem>
          ))}
        </TextField>
        {loaded && withoutArtifact.length > 0 && (
          <Alert severity={released.length ? 'warning' : 'info'}>
            {released.length
              ? `${withoutArtifact.length} of ${members.length} members have no registered artifact yet: they are left out of this release, the others are released.`
              : 'Nothing to release yet: no member of this group has a registered artifact. CI registers one with POST /api/sled/artifacts.'}
          </Alert>
        )}
        {members.map(ref => (
          <TextField
            key={ref}
            select
            fullWidth
            margin="dense"
            label={ref}
            value={chosen[ref] ?? ''}
            onChange={e => setChosen(c => ({ ...c, [ref]: e.target.value }))}
            disabled={withoutArtifact.includes(ref)}
            helperText={
              withoutArtifact.includes(ref) ? NO_ARTIFACT_YET : undefined
            }
          >
            {(artifacts[ref] ?? []).map(a => (
              <MenuItem key={a.id} value={a.id}>
                {a.version} ({shortSha(a.commitSha)})
              </MenuItem>
            ))}
          </TextField>
        ))}
        <TextField
          id="sled-release-reason"
          fullWidth
          margin="normal"
          label={requireReason ? 'Reason (required)' : 'Reason'}
          value={reason}
          onChange={e => setReason(e.target.value)}
        />
        <FormControlLabel
          control={
            <Switch
              checked={dryRun}
              onChange={e => setDryRun(e.target.checked)}
            />
          }
          label="Dry run"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={
            submitting ||
            !environment ||
            (requireReason && !reason.trim()) ||
            !loaded ||
            released.length === 0
          }
        >
          Start release
        </Button>
      </DialogActions>
    </Dialog>
  );
}
