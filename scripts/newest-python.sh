#!/usr/bin/env bash
# Prints the newest Python of 3.13, 3.12 and 3.11 on this machine that starts: on PATH, or
# installed by pyenv without being the selected version. Exit 1 when there is none.
set -euo pipefail
for v in 3.13 3.12 3.11; do
    if command -v "python$v" >/dev/null 2>&1 && "python$v" -c 'import sys' >/dev/null 2>&1; then
        command -v "python$v"
        exit 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        for installed in $(pyenv versions --bare 2>/dev/null | grep -E "^$v(\.[0-9]+)*$" | sort -rV); do
            candidate="$(pyenv root)/versions/$installed/bin/python$v"
            if "$candidate" -c 'import sys' >/dev/null 2>&1; then
                echo "$candidate"
                exit 0
            fi
        done
    fi
done
exit 1
