// Writes src/openapi.ts, the types of every route and schema, from the
// server's OpenAPI document (docs/openapi.json) with openapi-typescript.
// The client is typed by this file, so a route or field the server changes
// shows up here; test/generated.test.mjs fails when the document changed
// and this was not run again.
//
//   node scripts/generate.mjs            # write src/openapi.ts
//   node scripts/generate.mjs --stdout   # print what it would write
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
export const DOCUMENT = here("../../../docs/openapi.json");
export const OUTPUT = here("../src/openapi.ts");

export async function generate() {
  const document = JSON.parse(await readFile(DOCUMENT, "utf8"));
  const ast = await openapiTS(document, { exportType: false, alphabetize: true, emptyObjectsUnknown: true });
  return (
    "// Generated from docs/openapi.json by scripts/generate.mjs: do not edit.\n" +
    "// Run `npm run generate` after the document changes.\n\n" +
    astToString(ast)
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await generate();
  if (process.argv.includes("--stdout")) process.stdout.write(text);
  else await writeFile(OUTPUT, text);
}
