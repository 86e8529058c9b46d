// @ts-check

/**
 * Deploys queued before the trust boundary carry the launch they were
 * created with, which could be a command an artifact named. Those never run:
 * they end `failed`, saying why. Queued deploys whose command came from the
 * catalog are left alone. (Running ones were already running.)
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const rows = await knex('sled_deploys')
    .join('sled_artifacts', 'sled_artifacts.id', 'sled_deploys.artifact_id')
    .where('sled_deploys.status', 'queued')
    .select('sled_deploys.id as id', 'sled_artifacts.spec as spec');
  const named = rows
    .filter(row => {
      try {
        return JSON.parse(row.spec)?.deploy?.command !== undefined;
      } catch {
        return false;
      }
    })
    .map(row => row.id);
  for (let i = 0; i < named.length; i += 500) {
    await knex('sled_deploys')
      .whereIn('id', named.slice(i, i + 500))
      .where('status', 'queued')
      .update({
        status: 'failed',
        message:
          'Refused: its artifact named the deploy command; commands come only from the catalog entity (sled.dev/deploy-command). Deploy again to run the catalog’s command.',
        finished_at: new Date().toISOString(),
      });
  }
};

/** Nothing to undo: the refused deploys stay refused. */
exports.down = async function down() {};
