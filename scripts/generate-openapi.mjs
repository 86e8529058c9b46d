#!/usr/bin/env node
// Generates the code that comes from plugins/sled-backend/openapi.yaml, the one
// description of the SLeD REST API (yarn generate:openapi):
//  - plugins/sled-backend/src/schema/openapi.generated.ts: the document `as const`,
//    which the backend serves at /openapi.json and validates against;
//  - plugins/sled-common/src/generated/openapi.ts: the request and response
//    types (openapi-typescript), which the types of sled-common and the typed
//    client (openapi-fetch) are built on.
// The output is committed; `yarn check:openapi` fails when it is stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import prettier from 'prettier';
import yaml from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specFile = path.join(root, 'plugins/sled-backend/openapi.yaml');
const header = `// Generated from plugins/sled-backend/openapi.yaml by \`yarn generate:openapi\`: do not edit.
/* eslint-disable */
`;

async function write(file, source) {
  const options = (await prettier.resolveConfig(file)) ?? {};
  const formatted = prettier.format(header + source, {
    ...options,
    filepath: file,
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, formatted);
  console.log(`wrote ${path.relative(root, file)}`);
}

const doc = yaml.parse(fs.readFileSync(specFile, 'utf8'));
await write(
  path.join(root, 'plugins/sled-backend/src/schema/openapi.generated.ts'),
  `\n/** The SLeD REST API's OpenAPI document. */\nexport const spec = ${JSON.stringify(
    doc,
    null,
    2,
  )} as const;\n`,
);

const ast = await openapiTS(pathToFileURL(specFile), {
  alphabetize: false,
  exportType: false,
});
await write(
  path.join(root, 'plugins/sled-common/src/generated/openapi.ts'),
  `\n${astToString(ast)}`,
);
