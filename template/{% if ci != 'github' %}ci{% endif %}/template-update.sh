#!/bin/sh
# Proposes the project template's newest release as a merge request (GitLab) or pull request
# (GitHub), in two steps that the scheduled template-update pipeline runs as two jobs, so that the
# template's code (its extensions and migrations) never runs next to the token that may push:
#
#   ci/template-update.sh update DIR
#       copier check-update; when a newer release exists, copier update --conflict inline, and
#       write DIR/version, DIR/changes.patch and DIR/conflicts.txt. Needs read access only.
#   ci/template-update.sh propose DIR gitlab|github
#       commit the patch on the template-update branch, push it and open the request with
#       $TEMPLATE_UPDATE_TOKEN; an open update request is left alone. Fails while conflicts remain
#       (ci/no-conflicts.sh), as CI does on the request.
#
# GitLab: CI_PROJECT_URL, CI_API_V4_URL, CI_PROJECT_ID and CI_DEFAULT_BRANCH come from the job.
# GitHub: REPOSITORY (OWNER/NAME) names the repository; BASE_BRANCH defaults to main.
set -eu

BRANCH=template-update

die() {
  echo "template-update.sh: $*" >&2
  exit 1
}

update() { # DIR
  source=$(sed -n 's/^_src_path: *//p' .copier-answers.yml)
  case $source in
    /* | .* | "~"*) die ".copier-answers.yml names the template by a local path ($source): name it by its git URL" ;;
  esac
  work=$(mktemp -d)
  copier check-update --output-format json | tee "$work/check.json"
  version=$(python3 -c 'import json, sys
check = json.load(open(sys.argv[1]))
print(check["latest_version"] if check.get("update_available") else "")' "$work/check.json")
  echo "$version" >"$work/version"
  if [ -n "$version" ]; then
    copier update --trust --defaults --conflict inline
    {
      git diff --name-only --diff-filter=U
      find . -name '*.rej' -not -path './.git/*' -not -path './.cache/*' | sed 's|^\./||'
    } | sort -u >"$work/conflicts.txt"
    git add --all
    git diff --cached --binary >"$work/changes.patch"
    git diff --cached --stat
  fi
  rm -f "$work/check.json"
  mkdir -p "$1"
  cp "$work"/* "$1"/
  rm -rf "$work"
}

# curl with the token read from stdin (never on the command line)
api() { # METHOD URL [JSON-FILE]
  header="PRIVATE-TOKEN: $TEMPLATE_UPDATE_TOKEN"
  [ "$platform" = github ] && header="Authorization: Bearer $TEMPLATE_UPDATE_TOKEN"
  printf 'header = "%s"\n' "$header" | curl --config - --fail --silent --show-error --request "$1" \
    --header "Content-Type: application/json" --header "Accept: application/json" ${3:+--data "@$3"} "$2"
}

propose() { # DIR PLATFORM
  dir=$1
  platform=$2
  version=$(cat "$dir/version")
  if [ -z "$version" ]; then
    echo "The template has no newer release."
    return 0
  fi
  : "${TEMPLATE_UPDATE_TOKEN:?TEMPLATE_UPDATE_TOKEN must hold the token that pushes and opens the request}"
  case $platform in
    gitlab)
      base=$CI_DEFAULT_BRANCH
      remote=$CI_PROJECT_URL.git
      user=oauth2
      requests="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests"
      open="$requests?state=opened&source_branch=$BRANCH"
      ;;
    github)
      base=${BASE_BRANCH:-main}
      remote=https://github.com/$REPOSITORY.git
      user=x-access-token
      requests="https://api.github.com/repos/$REPOSITORY/pulls"
      open="$requests?state=open&head=${REPOSITORY%%/*}:$BRANCH"
      ;;
    *) die "unknown platform '$platform' (gitlab, github)" ;;
  esac
  if [ "$(api GET "$open" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" != 0 ]; then
    echo "A template update request is open: merge or close it, the next run proposes $version."
    return 0
  fi

  git switch --force-create "$BRANCH"
  git apply --index --binary "$dir/changes.patch"
  git -c user.name="Template update" -c user.email="template-update@invalid" \
    commit --quiet --message "Update from the project template to $version"
  export PUSH_USER="$user"
  # shellcheck disable=SC2016 # expanded by the shell git starts for the helper, not here
  git -c credential.helper= \
    -c credential.helper='!f() { [ "$1" = get ] && printf "username=%s\npassword=%s\n" "$PUSH_USER" "$TEMPLATE_UPDATE_TOKEN"; }; f' \
    push --force "$remote" "HEAD:refs/heads/$BRANCH"

  title="Update from the project template to $version"
  {
    echo "Updates this repository from the project template to $version with \`copier update\`."
    echo
    echo "Read the template's CHANGELOG for what changed and any step the update needs from you,"
    echo "then run \`make validate\` and record the update in CHANGELOG.md."
    if [ -s "$dir/conflicts.txt" ]; then
      echo
      echo "**Resolve the conflicts** (markers \`<<<<<<< before updating\` ... \`>>>>>>> after updating\`,"
      echo "or \`.rej\` files) in:"
      echo
      sed 's/^/- /' "$dir/conflicts.txt"
    fi
  } >"$dir/body.md"
  python3 -c 'import json, sys
title, platform, branch, base, body = sys.argv[1:]
text = open(body).read()
if platform == "gitlab":
    request = {"source_branch": branch, "target_branch": base, "title": title, "description": text,
               "remove_source_branch": True}
else:
    request = {"head": branch, "base": base, "title": title, "body": text}
print(json.dumps(request))' "$title" "$platform" "$BRANCH" "$base" "$dir/body.md" >"$dir/request.json"
  api POST "$requests" "$dir/request.json" >/dev/null
  echo "Opened: $title"
  sh ci/no-conflicts.sh
}

case ${1:-} in
  update) update "${2:?usage: ci/template-update.sh update DIR}" ;;
  propose) propose "${2:?usage: ci/template-update.sh propose DIR gitlab|github}" "${3:?usage: ci/template-update.sh propose DIR gitlab|github}" ;;
  *) die "usage: ci/template-update.sh update DIR | propose DIR gitlab|github" ;;
esac
