#!/usr/bin/env bash
# search-api's deploy script (sled.dev/deploy-command in catalog-info.yaml): the example
# services share their steps in ../example-deploy.sh.
exec bash "$(dirname "$0")/../example-deploy.sh" "$@"
