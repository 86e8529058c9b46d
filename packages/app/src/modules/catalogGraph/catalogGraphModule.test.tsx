import { screen, waitFor } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { renderTestApp } from '@backstage/frontend-test-utils';
import catalogGraphPlugin from '@backstage/plugin-catalog-graph/alpha';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { catalogGraphModule } from './index';

const group: Entity = {
  apiVersion: 'sled.dev/v1alpha1',
  kind: 'DeployGroup',
  metadata: { name: 'space', namespace: 'default' },
  spec: { owner: 'group:default/team-space', members: ['rocket'] },
  relations: [
    { type: 'hasDeployMember', targetRef: 'component:default/rocket' },
    { type: 'ownedBy', targetRef: 'group:default/team-space' },
  ],
};
const rocket: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'rocket', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-a' },
  relations: [
    { type: 'deployMemberOf', targetRef: 'deploygroup:default/space' },
    { type: 'ownedBy', targetRef: 'group:default/team-a' },
  ],
};
const teams: Entity[] = ['team-space', 'team-a'].map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: [
    {
      type: 'ownerOf',
      targetRef:
        name === 'team-a'
          ? 'component:default/rocket'
          : 'deploygroup:default/space',
    },
  ],
}));

/** The entity Relations card of the catalog graph, for `entity`. */
function renderRelationsCard(entity: Entity) {
  return renderTestApp({
    features: [catalogGraphPlugin, catalogGraphModule],
    extensions: [createTestEntityPage({ entity })],
    apis: [catalogApiMock({ entities: [group, rocket, ...teams] })],
  });
}

// each node's name and each edge's label is one <text> of the graph's SVG
// (a label's relation names in <tspan>s)
const graphTexts = () =>
  [...document.querySelectorAll('svg text')].map(text => text.textContent);

describe('the catalog graph with deploy groups', () => {
  // jsdom lays out no SVG; the graph sizes its nodes and labels with getBBox
  beforeAll(() => {
    (window.SVGElement.prototype as any).getBBox = () => ({
      x: 0,
      y: 0,
      width: 100,
      height: 20,
    });
  });
  afterAll(() => {
    delete (window.SVGElement.prototype as any).getBBox;
  });

  it("draws a deploy group's members, labelled with the relation both ways", async () => {
    renderRelationsCard(group);
    await screen.findByText('Relations');
    await waitFor(() =>
      expect(graphTexts()).toContain('hasDeployMember / deployMemberOf'),
    );
    expect(graphTexts()).toEqual(expect.arrayContaining(['space', 'rocket']));
    // Backstage's own relations are still drawn
    expect(graphTexts()).toContain('ownerOf / ownedBy');
  });

  it('draws the deploy group of a service', async () => {
    renderRelationsCard(rocket);
    await waitFor(() =>
      expect(graphTexts()).toContain('hasDeployMember / deployMemberOf'),
    );
  });
});
