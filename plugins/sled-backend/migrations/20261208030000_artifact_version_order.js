// @ts-check

/**
 * Artifacts get a version order key (`version_key`): the byte order of the
 * keys is the order of the versions, so "what changes between the version
 * that runs and this one" is a range query, whatever order CI registered
 * the versions in. Earlier artifacts get theirs here; this copy of
 * `versionOrderKey` (src/database/versionOrderKey.ts) is frozen with the
 * migration.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('sled_artifacts', table => {
    table
      .text('version_key')
      .nullable()
      .comment('sorts as the versions do (see versionOrderKey)');
    table.index(
      ['entity_ref', 'version_key'],
      'sled_artifacts_entity_version_idx',
    );
  });
  for (let after = 0; ; ) {
    const rows = await knex('sled_artifacts')
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(500)
      .select('seq', 'version');
    if (!rows.length) break;
    for (const row of rows) {
      await knex('sled_artifacts')
        .where('seq', row.seq)
        .update({ version_key: versionOrderKey(row.version) });
    }
    after = Number(rows[rows.length - 1].seq);
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('sled_artifacts', table => {
    table.dropIndex(
      ['entity_ref', 'version_key'],
      'sled_artifacts_entity_version_idx',
    );
    table.dropColumn('version_key');
  });
};

/** @param {string} text */
function fieldsOf(text) {
  return text.toLowerCase().replace(/\d+|[._-]/g, token => {
    if (!/\d/.test(token)) return '.';
    const digits = token.replace(/^0+(?=\d)/, '');
    return `0${String(digits.length).padStart(3, '0')}${digits}`;
  });
}

/** @param {string} version */
function versionOrderKey(version) {
  const plus = version.indexOf('+');
  const precedence = plus < 0 ? version : version.slice(0, plus);
  const build = plus < 0 ? '' : version.slice(plus + 1);
  const core = /^v?\d+(?:\.\d+)*(?=-|$)/i.exec(precedence)?.[0];
  let key;
  if (core !== undefined && precedence.length > core.length) {
    const pre = precedence.slice(core.length + 1);
    key = `${fieldsOf(core.replace(/^v/i, ''))}!${fieldsOf(pre)}`;
  } else {
    key = fieldsOf(core !== undefined ? core.replace(/^v/i, '') : precedence);
  }
  key = `${key}"${fieldsOf(build)}`;
  return Buffer.from(key, 'latin1').toString('hex');
}
