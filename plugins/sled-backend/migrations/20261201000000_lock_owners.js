// @ts-check

/**
 * The owner of what a lock locks (the service's owner, or the deploy group's),
 * so a read decision conditional on ownership filters locks in SQL as it
 * filters deploys. Locks of services are backfilled with the owner their
 * newest artifact recorded; environment-wide locks have none.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('sled_locks', table => {
    table
      .string('owner_ref', 255)
      .nullable()
      .comment('owner of the locked service or deploy group, for read filters');
  });
  await knex('sled_locks')
    .whereNotNull('entity_ref')
    .update({
      owner_ref: knex('sled_artifacts')
        .select('owner_ref')
        .whereRaw('sled_artifacts.entity_ref = sled_locks.entity_ref')
        .orderBy('seq', 'desc')
        .limit(1),
    });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sled_locks', table => {
    table.dropColumn('owner_ref');
  });
};
