import fs from 'fs';
import path from 'path';
import yaml from 'yaml';
import { addGateRoutes } from '../gates/gateRouter';
import { addChangeRoutes } from '../insight/changesRouter';
import { addMetricsRoutes } from '../metrics/metricsRouter';
import { addDeploymentRoutes } from '../overview/deploymentsRouter';
import { addReleaseRoutes } from '../releases/releaseRouter';
import { spec } from '../schema/openapi.generated';
import { addDeployRoutes } from './router';
import { createSledApiRouter } from './SledApiRouter';

// The OpenAPI document shipped in the package describes every route the router serves.
describe('openapi.yaml', () => {
  const documentFile = yaml.parse(
    fs.readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8'),
  );

  it('documents exactly the routes the router serves', async () => {
    const router = createSledApiRouter();
    addDeployRoutes(router, {} as any);
    addReleaseRoutes(router, {} as any);
    addGateRoutes(router, {} as any);
    addChangeRoutes(router, {} as any);
    addMetricsRoutes(router, {} as any);
    addDeploymentRoutes(router, {} as any);
    const served = (router as any).stack
      .filter((layer: any) => layer.route)
      .flatMap((layer: any) =>
        Object.keys(layer.route.methods).map(
          m =>
            `${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`,
        ),
      )
      .sort();
    const documented = Object.entries(documentFile.paths)
      .flatMap(([p, ops]: [string, any]) =>
        Object.keys(ops).map(m => `${m.toUpperCase()} ${p}`),
      )
      .sort();
    expect(documented).toEqual(served);
  });

  it('is what the generated module exports (yarn generate:openapi)', () => {
    expect(spec).toEqual(documentFile);
  });

  it('requires the same fields as validation does', () => {
    expect(
      documentFile.components.schemas.CreateDeployRequest.required,
    ).toEqual(['entityRef', 'environment', 'artifactId']);
    expect(
      documentFile.components.schemas.RegisterArtifactRequest.required,
    ).toEqual(['entityRef', 'version', 'commitSha']);
  });
});
