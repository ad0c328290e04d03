#!/usr/bin/env bash
# The product's C++ laid out as .clang-format says (clang-format 14, as Debian 12 ships it).
#   scripts/format.sh           rewrites the files that differ
#   scripts/format.sh --check   lists them and fails (what the test command runs first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FORMAT=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$FORMAT" ]; then
    echo "format: clang-format-14 is not installed" >&2
    exit 1
fi
mapfile -t files < <(git ls-files 'app/*.cpp' 'app/*.h' 'models/*.cpp' 'models/*.h' 'views/*.cpp' 'views/*.h' \
    'resources/*.cpp' 'resources/*.h' 2>/dev/null || find app models views resources -name '*.cpp' -o -name '*.h')
if [ "${1:-}" = "--check" ]; then
    bad=()
    for f in "${files[@]}"; do
        "$FORMAT" --style=file "$f" | cmp -s - "$f" || bad+=("$f")
    done
    if [ "${#bad[@]}" -gt 0 ]; then
        echo "format: these files are not laid out as .clang-format says (run scripts/format.sh):" >&2
        printf '  %s\n' "${bad[@]}" >&2
        exit 1
    fi
    echo "format: ${#files[@]} files as .clang-format says"
else
    "$FORMAT" --style=file -i "${files[@]}"
fi
