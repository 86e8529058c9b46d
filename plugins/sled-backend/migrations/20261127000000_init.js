// @ts-check

/**
 * SLeD's schema: artifacts, deploys (the queue is the deploys table itself),
 * chunked deploy logs, locks and idempotency records.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('sled_artifacts', table => {
    table.comment('Immutable deployable builds, registered by CI');
    table.bigIncrements('seq').primary().comment('keyset pagination order');
    table.string('id', 36).notNullable().unique();
    table.string('entity_ref', 255).notNullable();
    table.string('owner_ref', 255).nullable();
    table.string('version', 128).notNullable();
    table.text('spec').notNullable().comment('the registered body, as JSON');
    table.string('content_hash', 64).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['entity_ref', 'version']);
    table.index(['entity_ref', 'seq'], 'sled_artifacts_entity_seq_idx');
  });

  await knex.schema.createTable('sled_deploys', table => {
    table.comment('Every deploy; queued rows form the per-target queue');
    table.bigIncrements('seq').primary().comment('keyset pagination and queue order');
    table.string('id', 36).notNullable().unique();
    table.string('entity_ref', 255).notNullable();
    table.string('owner_ref', 255).nullable();
    table.string('environment', 64).notNullable();
    table.string('artifact_id', 36).notNullable();
    table.string('artifact_version', 128).notNullable();
    table.string('status', 16).notNullable();
    table.boolean('dry_run').notNullable().defaultTo(false);
    table.boolean('force').notNullable().defaultTo(false);
    table.string('requested_by', 255).notNullable();
    table.text('reason').nullable();
    table.string('rollback_of', 36).nullable();
    table.string('release_id', 36).nullable();
    table.text('message').nullable();
    table.integer('exit_code').nullable();
    table.text('execution').nullable().comment('executor handle, as JSON');
    table.text('launch').notNullable().comment('command, image and folder to run, as JSON');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['entity_ref', 'seq'], 'sled_deploys_entity_seq_idx');
    table.index(['entity_ref', 'environment', 'seq'], 'sled_deploys_target_seq_idx');
    table.index(['environment', 'seq'], 'sled_deploys_env_seq_idx');
    table.index(['status', 'seq'], 'sled_deploys_status_seq_idx');
  });
  // At most one running deploy per target, enforced by the database so that
  // concurrent dispatchers (threads or replicas) can never both start one.
  await knex.raw(
    `CREATE UNIQUE INDEX sled_deploys_one_running_idx ON sled_deploys (entity_ref, environment) WHERE status = 'running'`,
  );

  await knex.schema.createTable('sled_deploy_logs', table => {
    table.comment('Deploy output in ordered chunks');
    table.string('deploy_id', 36).notNullable();
    table.integer('chunk').notNullable();
    table.text('text').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['deploy_id', 'chunk']);
  });

  await knex.schema.createTable('sled_locks', table => {
    table.comment('Locks on an environment or one service in it');
    table.string('id', 36).primary();
    table.string('environment', 64).notNullable();
    table.string('entity_ref', 255).nullable();
    table.text('reason').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).nullable();
    table.index(['environment'], 'sled_locks_env_idx');
  });

  await knex.schema.createTable('sled_idempotency', table => {
    table.comment('Idempotency-Key records: a retried request returns the same deploy');
    table.string('principal', 255).notNullable();
    table.string('key', 255).notNullable();
    table.string('request_hash', 64).notNullable();
    table.string('deploy_id', 36).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['principal', 'key']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('sled_idempotency');
  await knex.schema.dropTable('sled_locks');
  await knex.schema.dropTable('sled_deploy_logs');
  await knex.schema.dropTable('sled_deploys');
  await knex.schema.dropTable('sled_artifacts');
};
