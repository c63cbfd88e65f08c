#!/usr/bin/env bash
# Generates the jdpo.v1 message and stub modules into jdpo/v1/ (next to this script) from the .proto files,
# with Debian's protoc and grpc_python_plugin. They are build output, not committed: run this after a proto change.
# Debian packages: protobuf-compiler protobuf-compiler-grpc libprotobuf-dev (google/protobuf/timestamp.proto).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
protos="$here/../../proto/src/main/proto"
missing=()
command -v protoc >/dev/null || missing+=(protobuf-compiler)
command -v grpc_python_plugin >/dev/null || missing+=(protobuf-compiler-grpc)
[[ -f /usr/include/google/protobuf/timestamp.proto ]] || missing+=(libprotobuf-dev)
if (( ${#missing[@]} )); then
  echo "generate.sh: install the Debian packages ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
# generated aside and moved in whole, so a reader never imports a half-written package
scratch="$(mktemp -d "$here/.generate.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
protoc -I "$protos" --python_out="$scratch" --grpc_python_out="$scratch" \
  --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "$protos"/jdpo/v1/*.proto
rm -rf "$here/jdpo/v1"
mv "$scratch/jdpo/v1" "$here/jdpo/v1"
echo "generated $(ls "$here/jdpo/v1" | wc -l) modules in $here/jdpo/v1"
