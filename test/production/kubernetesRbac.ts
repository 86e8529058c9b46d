/*
 * What a Role in deploy/kubernetes allows, and which RBAC verb and resource a
 * request to the fake Kubernetes API needed. TEST-ONLY
 * (./scripts/production-smoke).
 */
import fs from 'fs';
// eslint-disable-next-line @backstage/no-undeclared-imports
import yaml from 'yaml';

type Obj = Record<string, any>;

/** The rules of Role `name` in `namespace`, from a manifest file. */
export function roleRules(
  file: string,
  namespace: string,
  name: string,
): Array<{ resources: string[]; verbs: string[] }> {
  const docs = yaml
    .parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS() as Obj);
  const role = docs.find(
    d =>
      d?.kind === 'Role' &&
      d.metadata?.name === name &&
      d.metadata?.namespace === namespace,
  );
  return role?.rules ?? [];
}

/**
 * The RBAC verb and resource of a request, from the fake's summary of it
 * (`GET jobs?watch`, `POST jobs`, `GET pods/:name/log?follow`, …).
 */
export function rbacOf(kind: string): { resource: string; verb: string } {
  const [method, rest] = kind.split(' ');
  const [shape, flags = ''] = rest.split('?');
  const [resource, name, subresource] = shape.split('/');
  const fullResource = subresource ? `${resource}/${subresource}` : resource;
  const verbs: Record<string, string> = {
    POST: 'create',
    PUT: 'update',
    PATCH: 'patch',
    DELETE: name ? 'delete' : 'deletecollection',
  };
  const verb =
    method === 'GET'
      ? (flags.includes('watch') && 'watch') || (name ? 'get' : 'list')
      : verbs[method] ?? method.toLowerCase();
  return { resource: fullResource, verb };
}
