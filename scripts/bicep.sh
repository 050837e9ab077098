#!/usr/bin/env bash
# Builds and lints every .bicep file under infra/ and fails on any error or warning.
#
# The Bicep CLI comes from `az bicep` when the Azure CLI has it installed already; otherwise from
# the NuGet package Azure.Bicep.CommandLine.<rid> (a self-contained binary under tools/), restored
# with `dotnet restore` into .tools/ (git-ignored) and reused on later runs.
#
# Output: compiled ARM JSON under .tools/infra-out/ (same tree as infra/), read by test/infra.
# Environment: BICEP_VERSION (NuGet package version), BICEP_OUT (output folder), BICEP_BIN (a
# bicep binary to use as is), BICEP_USE_AZ=0 (ignore az even when present).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bicep_version=${BICEP_VERSION:-0.49.2}
tools="$root/.tools"
out=${BICEP_OUT:-$tools/infra-out}
log() { printf 'bicep.sh: %s\n' "$*" >&2; }

nuget_rid() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    *) log "unsupported OS $(uname -s)"; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) log "unsupported CPU $(uname -m)"; return 1 ;;
  esac
  printf '%s-%s' "$os" "$arch"
}

# Restores the Bicep CLI NuGet package (once) and prints the path of its binary.
bicep_from_nuget() {
  local rid package id packages bin project sdk_major
  rid=$(nuget_rid)
  package="Azure.Bicep.CommandLine.$rid"
  id=$(printf '%s' "$package" | tr '[:upper:]' '[:lower:]')
  packages="$tools/nuget"
  bin="$packages/$id/$bicep_version/tools/bicep"
  if [ ! -f "$bin" ]; then
    command -v dotnet >/dev/null || { log "neither az (with bicep) nor dotnet is available"; return 1; }
    # A throwaway project whose only job is PackageDownload: no build, no assets, just the package.
    sdk_major=$(dotnet --version | cut -d. -f1)
    project="$tools/bicep-restore/bicep-restore.csproj"
    mkdir -p "$(dirname "$project")"
    cat >"$project" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net$sdk_major.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package" Version="[$bicep_version]" />
  </ItemGroup>
</Project>
EOF
    log "restoring $package $bicep_version from NuGet into ${packages#"$root"/}"
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
      dotnet restore "$project" --packages "$packages" --verbosity quiet >&2
    [ -f "$bin" ] || { log "restore finished but $bin is missing"; return 1; }
  fi
  chmod +x "$bin"
  printf '%s' "$bin"
}

mapfile -t files < <(find infra -name '*.bicep' -type f | LC_ALL=C sort)
[ "${#files[@]}" -gt 0 ] || { log "no .bicep files under infra/"; exit 1; }

rm -rf "$out"
mkdir -p "$out"
diagnostics=$(mktemp)
trap 'rm -f "$diagnostics"' EXIT

# Each command's diagnostics go to $diagnostics; its exit code is kept, not fatal here.
status=0
if [ -z "${BICEP_BIN:-}" ] && [ "${BICEP_USE_AZ:-1}" != 0 ] && command -v az >/dev/null &&
  az bicep version --only-show-errors >/dev/null 2>&1; then
  log "using $(az bicep version --only-show-errors 2>/dev/null | head -n 1) (az bicep)"
  for f in "${files[@]}"; do
    rel=${f#infra/}
    mkdir -p "$out/$(dirname "$rel")"
    az bicep build --file "$f" --outfile "$out/${rel%.bicep}.json" 2>>"$diagnostics" || status=1
    az bicep lint --file "$f" 2>>"$diagnostics" >>"$diagnostics" || status=1
  done
else
  if [ -n "${BICEP_BIN:-}" ]; then bin=$BICEP_BIN; else bin=$(bicep_from_nuget); fi
  log "using $("$bin" --version) ($bin)"
  # --pattern builds every file in one process and mirrors infra/ under --outdir.
  (cd infra && "$bin" build --pattern '**/*.bicep' --outdir "$out") 2>>"$diagnostics" >>"$diagnostics" || status=1
  (cd infra && "$bin" lint --pattern '**/*.bicep') 2>>"$diagnostics" >>"$diagnostics" || status=1
fi

# Zero errors and zero warnings: any diagnostic of either level fails the run. Build and lint
# report the same linter findings, so each distinct line is shown and counted once.
unique=$(sed "s|$root/||" "$diagnostics" | sort -u)
[ -z "$unique" ] || printf '%s\n' "$unique" >&2
errors=$(grep -Ec ': Error ' <<<"$unique" || true)
warnings=$(grep -Ec ': Warning ' <<<"$unique" || true)
if [ "$status" -ne 0 ] || [ "$errors" -ne 0 ] || [ "$warnings" -ne 0 ]; then
  log "FAILED: $errors error(s), $warnings warning(s)"
  exit 1
fi
count=$(find "$out" -name '*.json' -type f | wc -l)
log "ok: ${#files[@]} .bicep file(s) built and linted with no error or warning; $count ARM template(s) in ${out#"$root"/}"
