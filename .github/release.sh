#!/usr/bin/env bash
# Build, validate and publish the release of raw/ for a version; the release workflow runs exactly this.
# Usage: .github/release.sh VERSION   (a leading "v", as in a tag name, is stripped)
# Prints (and, on GitHub, writes to $GITHUB_OUTPUT) release_dir=... and files=... (what the workflow uploads).
# Exits non-zero, having published nothing, when the run or its validation fails.
set -euo pipefail

version="${1:?usage: release.sh VERSION}"
version="${version#v}"
cleaner release raw/ --version "$version" --out dist

name="$(python -c 'from cleaner.config import load; print(load().dataset.name)')"
release_dir="dist/${name}/${version}"
files="$(find "$release_dir" -type f \( -name '*.parquet' -o -name 'README.md' -o -name 'manifest.json' -o -name 'result.json' \) | sort | tr '\n' ' ')"

{
  echo "release_dir=${release_dir}"
  echo "files=${files% }"
} | tee -a "${GITHUB_OUTPUT:-/dev/null}"
