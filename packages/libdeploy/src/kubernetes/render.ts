/** Objects as the YAML `kubectl apply -f` takes, one document each. */
import { stringify } from 'yaml';
import type { KubernetesObject } from './kinds.ts';

/** One object as YAML (no document marker). */
export function toYaml(obj: unknown): string {
  return stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Every object, `---` between them. */
export function renderYaml(objects: KubernetesObject[]): string {
  return objects.map(o => `---\n${toYaml(o)}`).join('');
}
