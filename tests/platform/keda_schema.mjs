// Validates KEDA resources read as a JSON array on stdin against the ScaledObject schema that
// @kubernetes-models/keda (web/node_modules) compiles from KEDA's Go types. Prints one line per resource:
// "ok <name>" or "invalid <name> <errors as JSON>". Usage: node keda_schema.mjs WEB_NODE_MODULES < resources.json
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const moduleFile = join(process.argv[2], "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject.js");
const { ScaledObject } = await import(pathToFileURL(moduleFile).href);
for (const resource of JSON.parse(readFileSync(0, "utf8"))) {
  const name = resource.metadata?.name ?? "?";
  try {
    new ScaledObject(resource).validate();
    console.log(`ok ${name}`);
  } catch (error) {
    console.log(`invalid ${name} ${JSON.stringify(error.errors ?? String(error))}`);
  }
}
