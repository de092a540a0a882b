# shellcheck shell=sh
# Sourced at the start of every pipeline job, on GitLab CI/CD and on CircleCI:
#
#   TOOLS="terraform jq" PIP_REQUIREMENTS="ci/requirements-aws.txt" . ci/job-setup.sh
#
# - installs the pinned tools named in $TOOLS (ci/install-tools.sh) and puts them on PATH;
# - installs the Python requirement files named in $PIP_REQUIREMENTS;
# - in a job that names a role in $AWS_ROLE_ARN, writes the job's OIDC token (GitLab: $AWS_ID_TOKEN,
#   CircleCI: $CIRCLE_OIDC_TOKEN_V2) to a file outside the checkout and points
#   AWS_WEB_IDENTITY_TOKEN_FILE at it: the AWS CLI, Terraform and kubectl then call
#   sts:AssumeRoleWithWebIdentity themselves, and again when the session expires. No AWS key is
#   ever written to the environment.
# On CircleCI each step is a new shell: the exports are also appended to $BASH_ENV.

TOOLS_DIR=${TOOLS_DIR:-$PWD/.cache/tools}
PATH="$TOOLS_DIR:$HOME/.local/bin:$PATH"
export TOOLS_DIR PATH
if [ -n "${TOOLS:-}" ]; then
  # shellcheck disable=SC2086 # TOOLS is a list of names
  sh ci/install-tools.sh $TOOLS
fi
for requirements in ${PIP_REQUIREMENTS:-}; do
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "$requirements"
done

if [ -n "${AWS_ROLE_ARN:-}" ]; then
  token=${AWS_ID_TOKEN:-${CIRCLE_OIDC_TOKEN_V2:-}}
  if [ -z "$token" ]; then
    echo "job-setup.sh: AWS_ROLE_ARN is set but the job has no OIDC token" >&2
    return 1
  fi
  AWS_WEB_IDENTITY_TOKEN_FILE=$(mktemp "${TMPDIR:-/tmp}/oidc-token.XXXXXX")
  printf '%s' "$token" >"$AWS_WEB_IDENTITY_TOKEN_FILE"
  AWS_ROLE_SESSION_NAME="ci-${CI_JOB_ID:-${CIRCLE_BUILD_NUM:-local}}"
  export AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME
  unset token
fi

if [ -n "${BASH_ENV:-}" ] && [ -n "${CIRCLECI:-}" ]; then
  for name in TOOLS_DIR PATH AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME; do
    eval "value=\${$name:-}"
    # shellcheck disable=SC2154 # set by eval
    [ -n "$value" ] && printf "export %s='%s'\n" "$name" "$value" >>"$BASH_ENV"
  done
  unset name value
fi
