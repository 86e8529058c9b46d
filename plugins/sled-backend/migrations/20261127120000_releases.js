// @ts-check

/**
 * Releases of deploy groups: one row per release, one per member service.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sled_releases', table => {
    table.comment('Deploy-group releases: one deploy per member, in waves');
    table.bigIncrements('seq').primary().comment('newest-first listing order');
    table.string('id', 36).notNullable().unique();
    table.string('deploy_group', 255).notNullable();
    table.string('environment', 64).notNullable();
    table.string('status', 16).notNullable();
    table.boolean('dry_run').notNullable().defaultTo(false);
    table.string('requested_by', 255).notNullable();
    table.text('reason').nullable();
    table.string('rollback_of', 36).nullable();
    table.text('message').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['deploy_group', 'seq'], 'sled_releases_group_seq_idx');
    table.index(['status'], 'sled_releases_status_idx');
  });

  await knex.schema.createTable('sled_release_members', table => {
    table.comment('Member services of a release, with their artifact and deploy');
    table.string('release_id', 36).notNullable();
    table.integer('position').notNullable().comment('order in the group');
    table.string('entity_ref', 255).notNullable();
    table.integer('wave').notNullable();
    table.string('artifact_id', 36).notNullable();
    table.string('artifact_version', 128).notNullable();
    table.string('deploy_id', 36).nullable();
    table.string('status', 16).notNullable();
    table.text('message').nullable();
    table.primary(['release_id', 'position']);
    table.unique(['release_id', 'entity_ref']);
  });

  await knex.schema.alterTable('sled_deploys', table => {
    table.index(['release_id'], 'sled_deploys_release_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sled_deploys', table => {
    table.dropIndex(['release_id'], 'sled_deploys_release_idx');
  });
  await knex.schema.dropTable('sled_release_members');
  await knex.schema.dropTable('sled_releases');
};
