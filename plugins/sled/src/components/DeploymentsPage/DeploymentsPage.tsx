import { Content, EmptyState, Progress } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { Typography } from '@material-ui/core';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ErrorPanel } from '../common/ErrorAlert';
import { DeploymentFilters, DeploymentFilterValues } from './DeploymentFilters';
import { DeploymentMatrixTable } from './DeploymentMatrixTable';
import { EnvironmentSummary } from './EnvironmentSummary';
import { useDeployments } from './useDeployments';

/**
 * The Deployments page (`/sled`): which version of every service runs in
 * every environment, what differs along the promotion path, approvals
 * waiting, locks and deploy windows, filtered by owner, system and deploy
 * group.
 */
export function DeploymentsPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useState<DeploymentFilterValues>({
    owner: '',
    system: '',
    deployGroup: '',
    text: '',
  });
  const { value, loading, error } = useDeployments({
    owner: filters.owner || undefined,
    system: filters.system || undefined,
    deployGroup: filters.deployGroup || undefined,
  });
  const services = useMemo(() => {
    const text = filters.text.trim().toLocaleLowerCase('en-US');
    if (!value || !text) return value?.services ?? [];
    return value.services.filter(s =>
      `${parseEntityRef(s.entityRef).name} ${s.title ?? ''}`
        .toLocaleLowerCase('en-US')
        .includes(text),
    );
  }, [value, filters.text]);
  const drifting = useMemo(
    () => services.filter(s => s.environments.some(c => c.drift)).length,
    [services],
  );

  return (
    <Content>
      <DeploymentFilters
        values={filters}
        facets={value?.facets}
        onChange={setFilters}
      />
      {error && <ErrorPanel error={error} />}
      {loading && !value && <Progress />}
      {value && (
        <>
          <EnvironmentSummary environments={value.environments} />
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="sled-deployments-summary"
            paragraph
          >
            {services.length} services × {value.environments.length}{' '}
            environments; {drifting} differ from the environment before in the
            promotion path (coloured).
          </Typography>
          {services.length ? (
            <DeploymentMatrixTable
              environments={value.environments}
              services={services}
              onOpen={href => navigate(href)}
            />
          ) : (
            <EmptyState
              missing="data"
              title="No services"
              description="No deployable service you may read matches these filters."
            />
          )}
        </>
      )}
    </Content>
  );
}
