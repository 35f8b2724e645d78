#!/usr/bin/env bash
# Fails if a function binary links full Foundation, FoundationNetworking or ICU
# (DESIGN.md section 4: function binaries use FoundationEssentials only).
# Usage: check-function-binaries.sh BINARY...   (release builds with --static-swift-stdlib)
set -euo pipefail

# Full Foundation's module symbols are mangled "10Foundation"; FoundationEssentials' are
# "20FoundationEssentials" and do not match.
forbidden_symbols='\$s10Foundation|20FoundationNetworking|30FoundationInternationalization|14_FoundationICU|ucol_open|ubrk_open'
forbidden_libraries='libFoundation\.so|libFoundationNetworking\.so|libFoundationInternationalization\.so|lib_FoundationICU\.so|libicu'

check() {
  local binary=$1 problems=""
  if readelf -d "$binary" | grep -E "NEEDED" | grep -qE "$forbidden_libraries"; then
    problems+=" links $(readelf -d "$binary" | grep NEEDED | grep -oE "$forbidden_libraries" | sort -u | tr '\n' ' ')"
  fi
  if nm "$binary" 2>/dev/null | grep -qE "$forbidden_symbols"; then
    problems+=" contains $(nm "$binary" | grep -oE "$forbidden_symbols" | sort -u | tr '\n' ' ')"
  fi
  if [ -n "$problems" ]; then
    echo "FAIL $(basename "$binary"):$problems"
    return 1
  fi
  echo "ok   $(basename "$binary"): FoundationEssentials only"
}

status=0
for binary in "$@"; do check "$binary" || status=1; done
exit $status
