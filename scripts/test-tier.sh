#!/usr/bin/env bash
# One server tier on its own, with the binaries it needs built or reused first (never inside a test
# worker, where a cold build would block it for minutes): `npm run test:pulumi`, `npm run test:kube`,
# `npm run test:controllers`.
set -euo pipefail
cd "$(dirname "$0")/.."
tier=${1:?usage: scripts/test-tier.sh pulumi|kube|controllers}
VLLM_TCO_KUBE_BIN=$(bash scripts/build-kube.sh)
export VLLM_TCO_KUBE_BIN
case "$tier" in
  pulumi)
    VLLM_TCO_PULUMI_BIN=$(bash scripts/build-pulumi.sh)
    export VLLM_TCO_PULUMI_BIN
    exec npx --no-install vitest run tests/pulumi-engine.test.ts
    ;;
  kube) exec npx --no-install vitest run tests/kube-real.test.ts ;;
  controllers)
    VLLM_TCO_CONTROLLERS_BIN=$(bash scripts/build-controllers.sh)
    export VLLM_TCO_CONTROLLERS_BIN
    exec npx --no-install vitest run tests/controllers.test.ts
    ;;
  *)
    echo "scripts/test-tier.sh: unknown tier '$tier'; use pulumi, kube or controllers" >&2
    exit 2
    ;;
esac
