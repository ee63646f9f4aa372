// Copies the server's <standin-banner> element (server/console/banner.js)
// into dist/, so that bundlers can `import "@standin/client/banner"`
// instead of loading it from Standin with a <script> tag. Importing it
// defines the element; give it an `api` attribute (Standin's base URL),
// since a bundled script cannot tell where Standin is.
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
await mkdir(here("../dist"), { recursive: true });
await copyFile(here("../../../server/console/banner.js"), here("../dist/banner.js"));
