/*
 * Who is who in the example catalog, as the smoke needs them. TEST-ONLY
 * (./scripts/production-smoke).
 */
type Obj = Record<string, any>;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export const refOf = (entity: Obj) =>
  `${String(entity.kind).toLocaleLowerCase('en-US')}:${
    entity.metadata.namespace ?? 'default'
  }/${entity.metadata.name}`;

/** As the auth backend's catalog sign-in resolvers compute ownership: the user and the groups it is a member of. */
const ownershipOf = (user: Obj): string[] => [
  refOf(user),
  ...(user.relations ?? [])
    .filter(
      (r: Obj) => r.type === 'memberOf' && r.targetRef.startsWith('group:'),
    )
    .map((r: Obj) => r.targetRef),
];

type Call = (
  method: string,
  route: string,
  options?: { token?: string },
) => Promise<{ status: number; json: any }>;

/**
 * A deployable service (a `service` Component with `sled.dev/deploy-command`),
 * a user whose ownership claims include its owner and one whose claims do not
 * (with a team of their own). Waits for the catalog's first ingestion to settle.
 */
export async function findCast(call: Call, token: string) {
  const deadline = Date.now() + 120_000;
  let previous: string | undefined;
  while (Date.now() < deadline) {
    const entities = async (filter: string): Promise<Obj[]> => {
      const r = await call(
        'GET',
        `/api/catalog/entities/by-query?filter=${encodeURIComponent(
          filter,
        )}&limit=500`,
        { token },
      );
      return r.status === 200 ? r.json.items ?? [] : [];
    };
    const services = (await entities('kind=component,spec.type=service'))
      .filter(e => e.metadata.annotations?.['sled.dev/deploy-command'])
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const users = (await entities('kind=user')).sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name),
    );
    for (const service of services) {
      const ownerRef = (service.relations ?? []).find(
        (r: Obj) => r.type === 'ownedBy',
      )?.targetRef;
      if (!ownerRef) continue;
      const owner = users.find(u => ownershipOf(u).includes(ownerRef));
      const outsider = users.find(
        u => !ownershipOf(u).includes(ownerRef) && ownershipOf(u).length > 1,
      );
      if (owner && outsider) {
        const cast = {
          service,
          ownerRef,
          owner: { ref: refOf(owner), ownership: ownershipOf(owner) },
          outsider: { ref: refOf(outsider), ownership: ownershipOf(outsider) },
        };
        // the same answer twice in a row: the catalog has finished stitching relations
        const key = JSON.stringify([refOf(service), cast.owner, cast.outsider]);
        if (key === previous) return cast;
        previous = key;
        break;
      }
    }
    await sleep(1000);
  }
  return undefined;
}
