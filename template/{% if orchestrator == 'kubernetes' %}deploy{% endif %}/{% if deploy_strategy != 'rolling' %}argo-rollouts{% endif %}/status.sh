#!/usr/bin/env bash
# Follows a Rollout until it has rolled out its current spec, as `kubectl argo rollouts status`
# does, with kubectl alone:
#
#   deploy/argo-rollouts/status.sh <rollout> <timeout-seconds>
#
# Exits 0 once the Rollout is Healthy: every step and analysis passed and the new revision is the
# stable one. Exits 1 when it is Degraded (aborted: an analysis failed or the new pods never became
# ready; Argo Rollouts already sends all traffic to the stable revision again), or when the timeout
# passes first, e.g. while it waits to be promoted by hand.
# kubectl uses $KUBE_CONTEXT and $NAMESPACE when they are set.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <rollout> <timeout-seconds>" >&2
  exit 2
fi
rollout=$1
timeout=$2
kubectl=(kubectl)
if [[ -n ${KUBE_CONTEXT:-} ]]; then kubectl+=(--context "$KUBE_CONTEXT"); fi
if [[ -n ${NAMESPACE:-} ]]; then kubectl+=(--namespace "$NAMESPACE"); fi

# The phase describes the spec only once the controller has observed its generation.
fields='{.metadata.generation}{"\n"}{.status.observedGeneration}{"\n"}{.status.phase}{"\n"}{.status.message}'
deadline=$((SECONDS + timeout))
shown=""
while true; do
  if state=$("${kubectl[@]}" get rollout "$rollout" --output jsonpath="$fields" 2>&1); then
    mapfile -t field <<<"$state"
    phase=${field[2]:-Progressing}
    message=${field[3]:-}
    if [[ ${field[1]:-} != "${field[0]}" ]]; then
      phase=Progressing
      message="waiting for the controller to observe the new spec"
    fi
  else
    phase=Unknown
    message=$state
  fi
  line="$rollout: $phase${message:+ - $message}"
  if [[ $line != "$shown" ]]; then
    echo "$line"
    shown=$line
  fi
  case $phase in
    Healthy) exit 0 ;;
    Degraded)
      echo "$rollout was aborted: the stable revision serves all traffic again" >&2
      exit 1
      ;;
    Paused) ;; # a pause step, or waiting for `kubectl argo rollouts promote $rollout`
  esac
  if ((SECONDS >= deadline)); then
    echo "$rollout is not Healthy after ${timeout}s" >&2
    exit 1
  fi
  sleep 10
done
