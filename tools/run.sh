#!/usr/bin/env bash
# The main job: installs what it needs, builds, and runs vellumd on the embedded default store
# (LevelDB) under ./vellum-data, listening on 127.0.0.1:8080. Stop it with Ctrl-C or SIGTERM;
# it finishes the batch in flight first. Override with VELLUM_DATA_DIR and VELLUM_LISTEN.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
bazel build -c opt //tools:vellumd //tools:vellum
BIN="$(bazel info -c opt bazel-bin 2>/dev/null)/tools"
DATA_DIR="${VELLUM_DATA_DIR:-./vellum-data}"
LISTEN="${VELLUM_LISTEN:-127.0.0.1:8080}"

cat <<EXAMPLE
Starting vellumd on http://$LISTEN with data in $DATA_DIR. Try, from another shell:

  echo '{"action":"deploy","model":"fraud-detector","version":"7"}' > entry.json
  curl -s --data-binary @entry.json 'http://$LISTEN/v1/entries?receipt=1'
  curl -s http://$LISTEN/checkpoint
  $BIN/vellum append --server http://$LISTEN --receipt entry.json
  $BIN/vellum verify log --server http://$LISTEN --verifier-key $DATA_DIR/log.pub

EXAMPLE
exec "$BIN/vellumd" --data-dir "$DATA_DIR" --listen "$LISTEN"
