// @ts-check

/**
 * Release gates: deploys may await approval (`awaiting_approval`, then
 * `queued`, `rejected` or `expired`: statuses longer than 16 characters),
 * record whether they were requested past a refusing gate, and carry when
 * their approvals expire; every approval decision is kept; CI records the
 * results of its checks of an artifact.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client === 'pg') {
    // SQLite does not enforce a varchar's length
    await knex.raw(
      'ALTER TABLE sled_deploys ALTER COLUMN status TYPE varchar(32)',
    );
    await knex.raw(
      'ALTER TABLE sled_release_members ALTER COLUMN status TYPE varchar(32)',
    );
  }
  await knex.schema.alterTable('sled_deploys', table => {
    table
      .boolean('gates_overridden')
      .notNullable()
      .defaultTo(false)
      .comment('requested past a refusing gate with sled.gate.override');
    table
      .timestamp('approval_expires_at', { useTz: true })
      .nullable()
      .comment('while awaiting approval: when it expires');
    // the promotion gate: a target's deploys of one artifact, newest first
    table.index(
      ['entity_ref', 'environment', 'artifact_id', 'seq'],
      'sled_deploys_target_artifact_seq_idx',
    );
  });
  await knex.schema.createTable('sled_deploy_approvals', table => {
    table.comment('Approval decisions on deploys awaiting approval');
    table.string('deploy_id', 36).notNullable();
    table.string('approver', 255).notNullable();
    table.string('decision', 16).notNullable();
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['deploy_id', 'approver']);
  });
  await knex.schema.createTable('sled_artifact_checks', table => {
    table.comment('The latest result of each CI check of an artifact');
    table.string('artifact_id', 36).notNullable();
    table.string('name', 64).notNullable();
    table.string('status', 16).notNullable();
    table.text('url').nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['artifact_id', 'name']);
  });
};

/**
 * Drops the gates' tables and columns; deploys in the new statuses become
 * `cancelled` (awaiting) or `failed` (rejected, expired), which fit.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('sled_deploys')
    .where('status', 'awaiting_approval')
    .update({ status: 'cancelled' });
  await knex('sled_deploys')
    .whereIn('status', ['rejected', 'expired'])
    .update({ status: 'failed' });
  await knex('sled_release_members')
    .where('status', 'awaiting_approval')
    .update({ status: 'cancelled' });
  await knex('sled_release_members')
    .whereIn('status', ['rejected', 'expired'])
    .update({ status: 'failed' });
  await knex.schema.dropTable('sled_artifact_checks');
  await knex.schema.dropTable('sled_deploy_approvals');
  await knex.schema.alterTable('sled_deploys', table => {
    table.dropIndex(
      ['entity_ref', 'environment', 'artifact_id', 'seq'],
      'sled_deploys_target_artifact_seq_idx',
    );
    table.dropColumn('approval_expires_at');
    table.dropColumn('gates_overridden');
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(
      'ALTER TABLE sled_deploys ALTER COLUMN status TYPE varchar(16)',
    );
    await knex.raw(
      'ALTER TABLE sled_release_members ALTER COLUMN status TYPE varchar(16)',
    );
  }
};
