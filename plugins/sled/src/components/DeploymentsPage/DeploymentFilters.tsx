import { parseEntityRef } from '@backstage/catalog-model';
import { MenuItem, TextField, makeStyles } from '@material-ui/core';
import { DeploymentMatrix } from '@internal/plugin-sled-common';

/** The filters of the Deployments page; empty strings mean "any". */
export interface DeploymentFilterValues {
  owner: string;
  system: string;
  deployGroup: string;
  text: string;
}

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  select: { minWidth: 200 },
}));

/** `group:default/team-a` as `team-a`; other namespaces kept. */
const label = (ref: string) => {
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
};

function FacetSelect(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
  className: string;
}) {
  return (
    <TextField
      select
      id={`sled-deployments-${props.label.replace(/\s/g, '-').toLowerCase()}`}
      variant="outlined"
      size="small"
      className={props.className}
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value as string)}
    >
      <MenuItem value="">Any</MenuItem>
      {props.options.map(option => (
        <MenuItem key={option} value={option}>
          {label(option)}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Owner, system and deploy group (the values the caller may see), and a text search. */
export function DeploymentFilters(props: {
  values: DeploymentFilterValues;
  facets?: DeploymentMatrix['facets'];
  onChange: (values: DeploymentFilterValues) => void;
}) {
  const classes = useStyles();
  const { values, facets, onChange } = props;
  const set = (key: keyof DeploymentFilterValues) => (value: string) =>
    onChange({ ...values, [key]: value });
  return (
    <div className={classes.root}>
      <TextField
        id="sled-deployments-service"
        variant="outlined"
        size="small"
        label="Service"
        placeholder="name contains"
        value={values.text}
        onChange={e => set('text')(e.target.value)}
      />
      <FacetSelect
        className={classes.select}
        label="Owner"
        value={values.owner}
        options={facets?.owners ?? []}
        onChange={set('owner')}
      />
      <FacetSelect
        className={classes.select}
        label="System"
        value={values.system}
        options={facets?.systems ?? []}
        onChange={set('system')}
      />
      <FacetSelect
        className={classes.select}
        label="Deploy group"
        value={values.deployGroup}
        options={facets?.deployGroups ?? []}
        onChange={set('deployGroup')}
      />
    </div>
  );
}
