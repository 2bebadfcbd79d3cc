// Validates Kubernetes manifests offline against the API schema, with the
// classes of the npm package kubernetes-models (each object: new Kind(obj).validate()).
//
//   node tools/manifest-check/check.mjs MODULES FILE.yaml...
//
// MODULES is the folder holding node_modules (tools/install-deps.sh installs
// them into data/kubernetes-models, pinned by package-lock.json here).
// Prints one line per document, "ok FILE#N Kind/name" or "invalid FILE#N
// Kind/name: why"; exits 0 when every document is valid, 1 when not, 2 when
// the modules are missing.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
const nm = join(modules || "", "node_modules");
const load = (rel) => import(pathToFileURL(join(nm, rel)).href);
if (!modules || !files.length || !existsSync(join(nm, "kubernetes-models", "package.json"))) {
    console.error("usage: check.mjs MODULES FILE...  (MODULES/node_modules/kubernetes-models " +
                  "is missing: run tools/install-deps.sh)");
    process.exit(2);
}
const YAML = (await load("yaml/dist/index.js")).default;

let bad = 0;
for (const file of files) {
    // YAML 1.1, as Kubernetes reads it (defaultMode: 0440 is octal there).
    const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1" });
    let n = 0;
    for (const doc of docs) {
        n++;
        const where = `${file}#${n}`;
        if (doc.errors.length) {
            console.log(`invalid ${where}: YAML: ${doc.errors[0].message}`);
            bad++;
            continue;
        }
        const obj = doc.toJS();
        if (obj === null)
            continue;
        const { apiVersion, kind } = obj;
        const name = `${kind}/${obj.metadata?.name}`;
        // "v1" → kubernetes-models/v1/Pod.js, "batch/v1" → kubernetes-models/batch/v1/Job.js
        const rel = join("kubernetes-models", String(apiVersion), `${kind}.js`);
        if (typeof apiVersion !== "string" || typeof kind !== "string" ||
            !/^[A-Za-z0-9.\/-]+$/.test(apiVersion) || !/^[A-Za-z]+$/.test(kind) ||
            !existsSync(join(nm, rel))) {
            console.log(`invalid ${where} ${name}: no such apiVersion and kind in the Kubernetes API`);
            bad++;
            continue;
        }
        const Model = (await load(rel))[kind];
        try {
            new Model(obj).validate();
            console.log(`ok ${where} ${name}`);
        } catch (e) {
            console.log(`invalid ${where} ${name}: ${e.message}`);
            bad++;
        }
    }
}
process.exit(bad ? 1 : 0);
