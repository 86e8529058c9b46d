import { isDeployableService } from './isDeployableService';
import { makeService } from './__testUtils__/fixtures';

describe('isDeployableService', () => {
  it('accepts a service component with a deploy command', () => {
    expect(isDeployableService(makeService())).toBe(true);
  });

  it('rejects components that are not services or cannot be deployed', () => {
    const service = makeService();
    expect(
      isDeployableService({
        ...service,
        spec: { ...service.spec, type: 'website' },
      }),
    ).toBe(false);
    expect(
      isDeployableService({
        ...service,
        metadata: { ...service.metadata, annotations: {} },
      }),
    ).toBe(false);
    expect(isDeployableService({ ...service, kind: 'API' })).toBe(false);
  });
});
