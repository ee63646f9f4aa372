#!/usr/bin/env node
// standin-policy-build POLICY.ts -o POLICY.wasm
//
// Builds a Standin policy written in TypeScript (or JavaScript) into a
// WebAssembly component of the world `standin:policy@0.7.0`:
//   1. esbuild bundles the policy and this SDK into one ES module (the
//      SDK's import resolves to this package, whatever node_modules holds);
//   2. componentize-js embeds it in the StarlingMonkey engine, runs its
//      top level once and snapshots the result (Wizer pre-initialization:
//      a loaded policy starts already initialized), with every WASI
//      feature off, so the component imports nothing a host must give
//      (no clock, random, stdio or network: a policy is pure computation).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { componentize } from "@bytecodealliance/componentize-js";
import { build } from "esbuild";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const usage = "usage: standin-policy-build POLICY.ts -o POLICY.wasm";
const args = process.argv.slice(2);
let entry;
let out;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "-o" || args[i] === "--out") out = args[++i];
  else if (args[i] === "-h" || args[i] === "--help") {
    console.log(usage);
    process.exit(0);
  } else if (entry === undefined) entry = args[i];
  else {
    console.error(usage);
    process.exit(2);
  }
}
if (entry === undefined || out === undefined) {
  console.error(usage);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "standin-policy-"));
try {
  const bundled = await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    alias: { "@standin/policy-sdk": join(here, "src", "index.ts") },
    logLevel: "warning",
  });
  const source = join(dir, "policy.js");
  writeFileSync(source, bundled.outputFiles[0].text);
  const { component } = await componentize({
    sourcePath: source,
    witPath: join(here, "wit"),
    worldName: "policy-world",
    disableFeatures: ["stdio", "random", "clocks", "http", "fetch-event"],
  });
  writeFileSync(out, component);
  if (process.stderr.isTTY) {
    console.error(`${out}: ${(component.length / (1 << 20)).toFixed(1)} MiB`);
  }
} catch (error) {
  console.error(`standin-policy-build: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
