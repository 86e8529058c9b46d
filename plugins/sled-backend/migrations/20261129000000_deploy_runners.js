// @ts-check

/**
 * Which backend runs each running deploy and release, and which backends are
 * alive: a backend that starts (or checks now and then) takes over only the
 * running deploys and releases of backends that stopped or stopped sending
 * heartbeats, never those another live replica follows.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sled_runners', table => {
    table.comment('Backends that run deploys, with their last heartbeat');
    table.string('id', 64).primary().notNullable();
    table.timestamp('heartbeat_at', { useTz: true }).notNullable();
  });
  await knex.schema.alterTable('sled_deploys', table => {
    table
      .string('runner', 64)
      .nullable()
      .comment('the backend (sled_runners.id) that runs this deploy');
  });
  await knex.schema.alterTable('sled_releases', table => {
    table
      .string('runner', 64)
      .nullable()
      .comment('the backend (sled_runners.id) that runs this release');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sled_releases', table => {
    table.dropColumn('runner');
  });
  await knex.schema.alterTable('sled_deploys', table => {
    table.dropColumn('runner');
  });
  await knex.schema.dropTable('sled_runners');
};
