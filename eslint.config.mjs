// Flat config: typescript-eslint's recommended rules; formatting is Prettier's job.
import * as path from "node:path";
import tseslint from "typescript-eslint";

/**
 * The layers, lowest first: each may import only from its own layer and those below it.
 * catalog (facts, prices, the price cache format) ← config (contract, resolver, errors, stack files)
 * ← cost (model and reports, Pulumi-free) ← infra (the Pulumi program, components, policy, plan and
 * reap internals) ← cli (commands). tests/, bench/ and scripts/ sit outside and may import anything.
 */
const LAYERS = [
  ["catalog", "cost/catalog/"],
  ["config", "cost/config/"],
  ["cost", "cost/"],
  ["infra", "infra/"],
  ["cli", "cli/"],
];
const root = path.dirname(new URL(import.meta.url).pathname);
const layerOf = (file) => {
  const rel = path.relative(root, file).split(path.sep).join("/");
  const i = LAYERS.findIndex(([, prefix]) => `${rel}/`.startsWith(prefix));
  return i < 0 ? undefined : i;
};

const oneWay = {
  meta: {
    type: "problem",
    docs: { description: "imports point one way: catalog ← config ← cost ← infra ← cli" },
    schema: [],
  },
  create(context) {
    const from = layerOf(context.filename);
    if (from === undefined) return {};
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const to = layerOf(path.resolve(path.dirname(context.filename), spec));
      if (to !== undefined && to > from)
        context.report({
          node: node.source,
          message: `${LAYERS[from][0]} may not import from ${LAYERS[to][0]} ("${spec}"): imports point one way, catalog ← config ← cost ← infra ← cli; move the shared piece down a layer`,
        });
    };
    return {
      ImportDeclaration: check,
      ImportExpression: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
    };
  },
};

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "coverage/**"] },
  ...tseslint.configs.recommended,
  {
    plugins: { layers: { rules: { "one-way": oneWay } } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      "layers/one-way": "error",
    },
  },
);
