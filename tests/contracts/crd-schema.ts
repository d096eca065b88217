/**
 * Validates a rendered custom resource against the OpenAPI schema of its pinned, published CRD
 * (tests/contracts/crds/), the way the API server's structural schema treats it: unknown fields are
 * errors here (the server would silently prune them, which is how a misplaced field goes unnoticed),
 * `x-kubernetes-int-or-string` accepts either, and `x-kubernetes-preserve-unknown-fields` keeps
 * anything. CEL rules (`x-kubernetes-validations`) are checked by the targeted tests instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

type Schema = Record<string, unknown>;

/** OpenAPI v3 (Kubernetes flavour) → JSON Schema that refuses unknown fields. */
export function strictSchema(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "description" || k.startsWith("x-kubernetes-") || k === "format") continue;
    if (k === "properties") {
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, strictSchema(ps)]),
      );
    } else if (k === "items" || k === "additionalProperties") {
      out[k] = typeof v === "object" && v !== null ? strictSchema(v as Schema) : v;
    } else if (k === "allOf" || k === "anyOf" || k === "oneOf") {
      out[k] = (v as Schema[]).map(strictSchema);
    } else out[k] = v;
  }
  if (s["x-kubernetes-int-or-string"] === true) {
    delete out["type"];
    out["anyOf"] = [{ type: "integer" }, { type: "string" }];
  }
  // `format: int32` and friends: integers must be whole and in range.
  if (s["format"] === "int32") Object.assign(out, { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 });
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  if (out["properties"] && out["additionalProperties"] === undefined && !preserve)
    out["additionalProperties"] = false;
  return out;
}

const CRD_DIR = path.join(__dirname, "crds");
const validators = new Map<string, ValidateFunction>();

function load(): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const file of fs.readdirSync(CRD_DIR)) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), "utf8"))) {
      const crd = doc.toJS() as {
        spec: {
          group: string;
          names: { kind: string };
          versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
        };
      };
      for (const v of crd.spec.versions)
        validators.set(
          `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`,
          ajv.compile(strictSchema(v.schema.openAPIV3Schema)),
        );
    }
  }
}

/** The kinds the pinned CRDs define, as `group/version Kind`. */
export function crdKinds(): string[] {
  if (validators.size === 0) load();
  return [...validators.keys()];
}

/** Problems with `obj` under its pinned CRD (empty: valid); throws when no pinned CRD defines its kind. */
export function crdErrors(obj: { apiVersion: string; kind: string }): string[] {
  if (validators.size === 0) load();
  const validate = validators.get(`${obj.apiVersion} ${obj.kind}`);
  if (!validate) throw new Error(`no pinned CRD for ${obj.apiVersion} ${obj.kind}`);
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params["additionalProperty"])})` : ""}`,
  );
}
