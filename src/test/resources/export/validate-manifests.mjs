// Validates Kubernetes and Knative objects with the npm models' JSON schemas (kubernetes-models,
// @kubernetes-models/knative): wrong types, bad quantities, bad enum values. Reads a JSON array
// of objects on stdin; prints one JSON line per object: {"kind", "name", "ok", "error"}.
// Run with NODE_PATH or from a folder whose node_modules holds both packages.
import { pathToFileURL } from "node:url";
import path from "node:path";

const modules = process.argv[2];

function modelPath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group.endsWith("knative.dev")) {
    return `@kubernetes-models/knative/${group}/${version}/${kind}`;
  }
  return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
for (const object of JSON.parse(input)) {
  const line = { kind: `${object.apiVersion}/${object.kind}`, name: object.metadata?.name };
  try {
    // The packages export ES modules only, one file per kind: import the file itself.
    const file = path.join(modules, "node_modules", modelPath(object.apiVersion, object.kind) + ".js");
    const Model = (await import(pathToFileURL(file).href))[object.kind];
    new Model(object).validate();
    line.ok = true;
  } catch (e) {
    line.ok = false;
    line.error = String(e && e.message ? e.message : e);
  }
  console.log(JSON.stringify(line));
}
