#!/bin/sh
# Fails while a `copier update` left conflicts behind: conflict markers in tracked files, or
# *.rej files (`--conflict rej`). They must not reach main.
set -eu
found=$({ git grep -l -I -E '^(<{7}|>{7})( |$)' || true; find . -name '*.rej' -not -path './.git/*' -not -path './.cache/*'; })
if [ -n "$found" ]; then
  echo "Resolve the template update's conflicts (markers or .rej files), then commit:" >&2
  echo "$found" >&2
  exit 1
fi
