// Writes build/openapi.preview.json: openapi/openapi.json plus, for every sync path it does not
// have yet, the stand-in from contract/sync-contract.openapi.json (the shapes of the sync
// contract). Only for type-checking and rehearsing offline-day.ts before the sync endpoints land;
// CI generates from openapi/openapi.json alone.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

type Doc = {
  paths: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown> };
};

const spec = JSON.parse(readFileSync("../../openapi/openapi.json", "utf8")) as Doc;
const overlay = JSON.parse(readFileSync("contract/sync-contract.openapi.json", "utf8")) as Doc;
const added: string[] = [];
for (const [path, item] of Object.entries(overlay.paths)) {
  if (!(path in spec.paths)) {
    spec.paths[path] = item;
    added.push(path);
  }
}
spec.components ??= {};
spec.components.schemas ??= {};
for (const [name, schema] of Object.entries(overlay.components?.schemas ?? {})) {
  spec.components.schemas[name] ??= schema;
}
mkdirSync("build", { recursive: true });
writeFileSync("build/openapi.preview.json", JSON.stringify(spec, null, 2));
console.log(
  added.length > 0
    ? `build/openapi.preview.json: added the contract's stand-in for ${added.join(", ")}`
    : "build/openapi.preview.json: openapi/openapi.json already has every sync path; the stand-in is not used",
);
