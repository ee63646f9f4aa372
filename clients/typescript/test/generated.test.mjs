// The types are generated from docs/openapi.json: fail when the document
// changed and `npm run generate` was not run again. And the banner that
// bundlers import is the server's.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { OUTPUT, generate } from "../scripts/generate.mjs";

test("src/openapi.ts is what docs/openapi.json generates (run `npm run generate`)", async () => {
  assert.equal(await readFile(OUTPUT, "utf8"), await generate());
});

test("@standin/client/banner is the server's <standin-banner>", async () => {
  const shipped = await readFile(new URL("../dist/banner.js", import.meta.url), "utf8");
  const server = await readFile(new URL("../../../server/console/banner.js", import.meta.url), "utf8");
  assert.equal(shipped, server);
});
