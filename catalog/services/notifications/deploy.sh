#!/usr/bin/env bash
# notifications's deploy script (sled.dev/deploy-command in catalog-info.yaml): the example
# services share their steps in ../example-deploy.sh.
exec bash "$(dirname "$0")/../example-deploy.sh" "$@"
