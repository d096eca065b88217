#!/usr/bin/env bash
# Builds the real Pulumi engine pieces the test tier runs, from the Go module proxy, once, and caches
# them by version under the user's cache folder. Prints the folder, which holds:
#   pulumi                          the CLI (github.com/pulumi/pulumi/pkg/v3)
#   pulumi-language-nodejs          the Node.js language host (a package inside sdk/v3 until v3.68.0)
#   pulumi-analyzer-policy          the shim the engine runs for a Node.js policy pack (same module)
#   pulumi-resource-kubernetes      the Kubernetes provider, stamped as the version @pulumi/kubernetes asks for
#
# Why wrapper modules: none of these can be `go install`ed as published. The language host's own module
# (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by the proxy, but sdk/v3@v3.68.0 still
# contains it, and that go.mod carries a `replace` that `go install` refuses; the CLI's go.mod has a
# replace too; the Kubernetes provider's main embeds a generated file and replaces its SDK with a
# folder (`=> ../sdk`). A small module that requires the release and repeats (or substitutes) the
# replaces builds each, as for kube-apiserver in build-kube.sh.
#
# Cold: about 20 minutes on 2 cores (the provider is most of it); warm: instant.
set -euo pipefail

# Versions: one place. The provider answers as the plugin version the npm package @pulumi/kubernetes
# (package-lock.json) asks the engine for, so the engine never tries to download another.
PULUMI_CLI=v3.274.1
LANGUAGE_HOST_SDK=v3.68.0
K8S_PROVIDER_MODULE=v4.0.0-20260115033456-f47bc2d6f199
K8S_PROVIDER_SDK=v4.24.0 # the provider's own `=> ../sdk`, as a published version its code compiles against
K8S_PROVIDER_VERSION=4.34.2
# Bumped when the recipe below changes, so a cached build from an older recipe is not reused.
RECIPE=3

cache_root=${XDG_CACHE_HOME:-$HOME/.cache}/vllm-tco/pulumi
out=$cache_root/cli-$PULUMI_CLI.host-$LANGUAGE_HOST_SDK.k8s-$K8S_PROVIDER_VERSION.r$RECIPE
if [ -x "$out/pulumi" ] && [ -x "$out/pulumi-language-nodejs" ] && [ -x "$out/pulumi-resource-kubernetes" ] &&
  [ -x "$out/pulumi-analyzer-policy" ]; then
  echo "$out"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "build-pulumi.sh: Go is not installed. Install Go 1.24 or newer (https://go.dev/dl), with the Go module proxy reachable, then run this again." >&2
  exit 2
fi

proxy=${GOPROXY_URL:-https://proxy.golang.org}
if ! curl -fsS -o /dev/null --max-time 30 "$proxy/github.com/pulumi/pulumi/pkg/v3/@v/$PULUMI_CLI.info"; then
  echo "build-pulumi.sh: the Go module proxy ($proxy) did not answer for github.com/pulumi/pulumi/pkg/v3@$PULUMI_CLI. Check the network or set GOPROXY_URL (and GOPROXY) to a reachable proxy." >&2
  exit 2
fi

mkdir -p "$cache_root"
work=$(mktemp -d)
tmp_out=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$work" "$tmp_out"' EXIT
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

# A wrapper module in $work/<name> whose go.mod is stdin and which builds one package of it into the
# output folder, with its version stamped where `version` commands read it (sdk/v3's go/common/version).
build_package() {
  local name=$1 package=$2 version=$3 binary=$4
  mkdir "$work/$name" && cd "$work/$name"
  cat >go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" >tools.go
  echo "building $binary ($package at $version)" >&2
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$tmp_out/$binary" "$package" >&2
}

# 1. The Node.js language host and the policy analyzer shim, from sdk/v3@v3.68.0.
build_package host github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$LANGUAGE_HOST_SDK" \
  pulumi-language-nodejs <<EOF
module vllm-tco/pulumi-language-host-build
go 1.24.0
require github.com/pulumi/pulumi/sdk/v3 $LANGUAGE_HOST_SDK
replace golang.org/x/text => golang.org/x/text v0.3.6
EOF
sdk_dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdk_dir/nodejs/dist/pulumi-analyzer-policy" "$tmp_out/pulumi-analyzer-policy"

# 2. The CLI.
build_package cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$PULUMI_CLI" pulumi <<EOF
module vllm-tco/pulumi-cli-build
go 1.24.0
require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_CLI
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_CLI
)
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF

# 3. The Kubernetes provider: its own main embeds schema-embed.json, generated from the schema.json
# beside it; this main embeds the module's schema.json and terraform-mapping.json directly.
mkdir "$work/k8s" && cd "$work/k8s"
cat >go.mod <<EOF
module vllm-tco/pulumi-kubernetes-build
go 1.24.7
require github.com/pulumi/pulumi-kubernetes/provider/v4 $K8S_PROVIDER_MODULE
replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 $K8S_PROVIDER_SDK
EOF
cat >main.go <<'EOF'
// The Kubernetes provider's own main, with the schema embedded from the published module's files.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var pulumiSchema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
EOF
echo "building pulumi-resource-kubernetes (provider/v4@$K8S_PROVIDER_MODULE as $K8S_PROVIDER_VERSION)" >&2
go mod download github.com/pulumi/pulumi-kubernetes/provider/v4 >&2
provider_dir=$(go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$K8S_PROVIDER_MODULE" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp "$provider_dir/cmd/pulumi-resource-kubernetes/schema.json" "$provider_dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" .
chmod u+w schema.json terraform-mapping.json
go mod tidy >&2
go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" \
  -o "$tmp_out/pulumi-resource-kubernetes" . >&2

# Publish the folder whole, so a build cut short never leaves half a cache behind.
rm -rf "$out"
mv "$tmp_out" "$out"
echo "$out"
