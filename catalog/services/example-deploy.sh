#!/usr/bin/env bash
# The example services' shared deploy steps; each service's own deploy.sh runs it. SLeD runs
# deploy.sh with the deploy contract in the environment:
# SLED_DEPLOY_ID, SLED_SERVICE, SLED_ENVIRONMENT, SLED_ARTIFACT_ID,
# SLED_ARTIFACT_VERSION, SLED_ARTIFACT_IMAGE, SLED_COMMIT_SHA, SLED_DRY_RUN.
set -euo pipefail
mode="deploy"
if [ "${1:-}" = "--dry-run" ] || [ "${SLED_DRY_RUN:-0}" = 1 ]; then mode="dry run"; fi
echo "[$mode] ${SLED_SERVICE} ${SLED_ARTIFACT_VERSION} (${SLED_COMMIT_SHA:0:7}) -> ${SLED_ENVIRONMENT}"
echo "image: ${SLED_ARTIFACT_IMAGE:-none}"
for step in "pulling image" "running migrations" "rolling out" "checking health"; do
  sleep 1
  echo "$step... ok"
done
echo "deploy ${SLED_DEPLOY_ID} finished"
