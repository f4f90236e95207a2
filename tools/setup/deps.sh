#!/usr/bin/env bash
# Installs the Debian 12 packages Myelin builds and tests with, if missing.
# Idempotent and quick when everything is present (no apt-get update then).
# Source it or run it; needs root (or sudo) only when something is missing.
set -euo pipefail

MYELIN_PACKAGES=(
  bazel-bootstrap bazel-rules-java bazel-platforms
  g++ librocksdb-dev libboost1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev libboost-program-options1.81-dev libabsl-dev
  libsimdjson-dev libsodium-dev capnproto libcapnp-dev libgtest-dev
  libgmock-dev libbenchmark-dev libyaml-cpp-dev libvips-dev libssl-dev
  clang-14 libclang-rt-14-dev
  python3-matrix-nio python3-olm
)

missing=()
for package in "${MYELIN_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  echo "myelin: installing ${#missing[@]} missing package(s): ${missing[*]}" >&2
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
