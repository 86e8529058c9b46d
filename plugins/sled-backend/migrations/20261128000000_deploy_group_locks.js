// @ts-check

/**
 * Locks on a whole deploy group in an environment: every member service is
 * locked there, whoever deploys it and however it is deployed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('sled_locks', table => {
    table
      .string('deploy_group', 255)
      .nullable()
      .comment('when set, every member of this DeployGroup is locked in the environment');
    table.index(['deploy_group'], 'sled_locks_deploy_group_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sled_locks', table => {
    table.dropIndex(['deploy_group'], 'sled_locks_deploy_group_idx');
    table.dropColumn('deploy_group');
  });
};
