#!/usr/bin/env bash
# Brings src/Recurrent/PublicAPI.Unshipped.txt in line with the code: adds what the public API
# analyzer reports as undeclared (RS0016) and drops what it reports as gone (RS0017).
# Review the diff of PublicAPI.Unshipped.txt before committing: it is the API change.
set -euo pipefail
cd "$(dirname "$0")/.."
file=src/Recurrent/PublicAPI.Unshipped.txt
for _ in 1 2 3; do
  log=$(dotnet build src/Recurrent/Recurrent.csproj -c Release --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
  added=$(grep -oP "(warning|error) RS0016: Symbol '\K.*(?=' is not part of the declared public API)" <<<"$log" | sort -u || true)
  removed=$(grep -oP "(warning|error) RS0017: Symbol '\K.*(?=' is part of the declared API)" <<<"$log" | sort -u || true)
  [ -z "$added" ] && [ -z "$removed" ] && break
  { grep -v '^#nullable' "$file" || true; if [ -n "$added" ]; then printf '%s\n' "$added"; fi; } | sort -u > "$file.tmp"
  if [ -n "$removed" ]; then grep -vxF -f <(printf '%s\n' "$removed") "$file.tmp" > "$file.tmp2" || true; mv "$file.tmp2" "$file.tmp"; fi
  { echo '#nullable enable'; cat "$file.tmp"; } > "$file"
  rm -f "$file.tmp"
done
echo "PublicAPI.Unshipped.txt: $(grep -vc '^#nullable' "$file") entries"
