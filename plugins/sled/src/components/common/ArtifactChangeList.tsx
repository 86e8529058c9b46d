import { useState } from 'react';
import { ArtifactChanges, ArtifactSummary } from '@internal/plugin-sled-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { describeError } from './ErrorAlert';
import { formatRelativeTime, shortSha } from './format';
import { SafeLink } from './SafeLink';
import { ArtifactChangesState } from './useArtifactChanges';

/** How many artifacts are shown before "Show all". */
const SHOWN = 5;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "3 merge requests since 1.4.0", "you take back these 2 merge requests" … */
export function describeChanges(changes: ArtifactChanges): string {
  const { direction, current, candidate, environment, total } = changes;
  const mrs = changes.mergeRequests.length;
  const more = total > changes.artifacts.length;
  // versions without a merge request still count as changes
  let what = plural(total, 'version');
  if (!more && mrs === total) what = plural(mrs, 'merge request');
  else if (!more)
    what += ` (${mrs ? plural(mrs, 'merge request') : 'no merge requests'})`;
  switch (direction) {
    case 'same':
      return `${candidate.version} already runs in ${environment}: nothing changes`;
    case 'initial':
      return `Nothing ran in ${environment} before: ${what} up to ${candidate.version}`;
    case 'rollback':
      return `You take back ${what} (${current?.version} → ${candidate.version})`;
    default:
      return `${what} since ${current?.version}`;
  }
}

function ArtifactChangeRow(props: { artifact: ArtifactSummary }) {
  const { artifact } = props;
  const mr = artifact.mergeRequest;
  return (
    <Box component="li" mb={0.5}>
      <Typography variant="body2" component="div">
        {mr ? (
          <SafeLink to={mr.url}>{mr.title}</SafeLink>
        ) : (
          <em>no merge request</em>
        )}
      </Typography>
      <Typography variant="caption" color="textSecondary" component="div">
        {artifact.version} · {shortSha(artifact.commitSha)}
        {mr?.mergedAt ? ` · merged ${formatRelativeTime(mr.mergedAt)}` : ''}
      </Typography>
    </Box>
  );
}

/**
 * What a deploy brings, or a rollback takes back: a one-line summary
 * ("3 merge requests since 1.4.0") and the artifacts between, latest
 * version first, each with its merge request (linked), commit and when it
 * was merged. A list it could not get is said quietly: it informs the
 * decision, it does not block it.
 */
export function ArtifactChangeList(props: ArtifactChangesState) {
  const { loading, changes, error } = props;
  const [expanded, setExpanded] = useState(false);
  if (loading) {
    return (
      <Typography variant="body2" color="textSecondary">
        Listing the changes…
      </Typography>
    );
  }
  if (error) {
    return (
      <Typography variant="body2" color="textSecondary">
        Could not list the changes: {describeError(error)}
      </Typography>
    );
  }
  if (!changes) return null;
  const shown = expanded
    ? changes.artifacts
    : changes.artifacts.slice(0, SHOWN);
  const hidden = changes.artifacts.length - shown.length;
  return (
    <Box my={1} data-testid="artifact-changes">
      <Typography variant="subtitle2">{describeChanges(changes)}</Typography>
      {shown.length > 0 && (
        <Box component="ul" m={0} pl={2.5} aria-label="Changes">
          {shown.map(artifact => (
            <ArtifactChangeRow key={artifact.id} artifact={artifact} />
          ))}
        </Box>
      )}
      {hidden > 0 && (
        <Button size="small" onClick={() => setExpanded(true)}>
          Show {hidden} more
        </Button>
      )}
      {changes.total > changes.artifacts.length &&
        (expanded || hidden === 0) && (
          <Typography variant="caption" color="textSecondary">
            and {changes.total - changes.artifacts.length} older versions
          </Typography>
        )}
    </Box>
  );
}
