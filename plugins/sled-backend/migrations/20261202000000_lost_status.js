// @ts-check

/**
 * Deploys whose Job vanished were recorded `failed` with a message starting
 * `lost:`; they have a status of their own now, `lost`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex('sled_deploys')
    .where('status', 'failed')
    .where('message', 'like', 'lost:%')
    .update({ status: 'lost' });
};

/**
 * Back to `failed`, with the message that says what happened.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex('sled_deploys')
    .where('status', 'lost')
    .update({ status: 'failed' });
};
