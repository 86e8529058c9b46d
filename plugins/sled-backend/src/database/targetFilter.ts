import {
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
} from '@backstage/plugin-permission-node';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import { Knex } from 'knex';

/** A permission condition translated to a column test. */
export interface SledTargetQuery {
  column: 'environment' | 'entity_ref' | 'owner_ref';
  values: string[];
}

/** What a caller may see, from a conditional permission decision. */
export type SledTargetFilter = PermissionCriteria<SledTargetQuery>;

/** Applies a permission filter as a SQL WHERE clause. */
export function applyTargetFilter(
  qb: Knex.QueryBuilder,
  filter: SledTargetFilter,
  negate = false,
  /** columns the table lacks (artifacts have no environment): never match */
  absent: ReadonlyArray<string> = [],
  /** qualified names of the filter's columns, for joined queries */
  columns: Partial<Record<SledTargetQuery['column'], string>> = {},
): void {
  const recurse = (
    inner: Knex.QueryBuilder,
    criteria: SledTargetFilter,
    not: boolean,
  ) => applyTargetFilter(inner, criteria, not, absent, columns);
  if (isAndCriteria(filter)) {
    qb[negate ? 'whereNot' : 'where'](b => {
      for (const c of filter.allOf)
        b.andWhere(inner => recurse(inner, c, false));
    });
  } else if (isOrCriteria(filter)) {
    qb[negate ? 'whereNot' : 'where'](b => {
      for (const c of filter.anyOf)
        b.orWhere(inner => recurse(inner, c, false));
    });
  } else if (isNotCriteria(filter)) {
    recurse(qb, filter.not, !negate);
  } else if (filter.values.length === 0 || absent.includes(filter.column)) {
    qb.whereRaw(negate ? '1 = 1' : '1 = 0');
  } else {
    // NULL-safe, as the rules' apply(): a missing owner never matches, so
    // `not` of it does (a bare NOT IN would drop rows without an owner)
    const column = columns[filter.column] ?? filter.column;
    qb[negate ? 'whereNot' : 'where'](b =>
      b.whereNotNull(column).whereIn(column, filter.values),
    );
  }
}
