// @ts-check

/**
 * A release into an environment that requires approvals asks for them once,
 * for the whole release: releases may be `awaiting_approval` (then
 * `running`, `rejected` or `expired`), carry when their approvals expire, and
 * keep every decision.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client === 'pg') {
    // SQLite does not enforce a varchar's length
    await knex.raw(
      'ALTER TABLE sled_releases ALTER COLUMN status TYPE varchar(32)',
    );
  }
  await knex.schema.alterTable('sled_releases', table => {
    table
      .timestamp('approval_expires_at', { useTz: true })
      .nullable()
      .comment('while awaiting approval: when it expires');
  });
  await knex.schema.createTable('sled_release_approvals', table => {
    table.comment('Approval decisions on releases awaiting approval');
    table.string('release_id', 36).notNullable();
    table.string('approver', 255).notNullable();
    table.string('decision', 16).notNullable();
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['release_id', 'approver']);
  });
};

/**
 * Drops the release approvals; releases awaiting approval become
 * `cancelled`, rejected or expired ones `failed`, which fit.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('sled_releases')
    .where('status', 'awaiting_approval')
    .update({ status: 'cancelled' });
  await knex('sled_releases')
    .whereIn('status', ['rejected', 'expired'])
    .update({ status: 'failed' });
  await knex.schema.dropTable('sled_release_approvals');
  await knex.schema.alterTable('sled_releases', table => {
    table.dropColumn('approval_expires_at');
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(
      'ALTER TABLE sled_releases ALTER COLUMN status TYPE varchar(16)',
    );
  }
};
