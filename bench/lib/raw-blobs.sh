#!/bin/sh
# The raw limit beside the big-image rows: curl moving the same blobs with no client logic at all.
#
#   raw-blobs.sh read   SRC_HOST REPO CONCURRENCY DIGEST...            GET each blob to /dev/null
#   raw-blobs.sh unpack SRC_HOST REPO CONCURRENCY OUTDIR DIGEST...     GET | tar -xz into OUTDIR/<n> (what an engine must do)
#   raw-blobs.sh upload DST_HOST REPO CONCURRENCY STORE DIGEST...      POST a session, PUT the blob file (curl -T)
#   raw-blobs.sh copy   SRC_HOST/REPO DST_HOST/REPO CONCURRENCY DIGEST...   GET | PUT, socket to socket
#   raw-blobs.sh pack   DST_HOST REPO CONCURRENCY DIR...   tar -c DIR | gzip | PATCH, then PUT ?digest= (what an engine's push must do)
#
# Each blob is one curl (two for an upload: the session POST, then the PUT with ?digest=, so the
# registry verifies it as it does a client's). CONCURRENCY blobs at a time (xargs -P).
set -eu
mode=$1; shift

blob_file() { # STORE DIGEST -> the registry's file of that blob
  hex=${2#sha256:}
  printf '%s/docker/registry/v2/blobs/sha256/%s/%s/data' "$1" "$(printf %s "$hex" | cut -c1-2)" "$hex"
}

case "$mode" in
  read)
    host=$1 repo=$2 n=$3; shift 3
    printf '%s\n' "$@" | xargs -P "$n" -I{} curl -sS -f -o /dev/null "http://$host/v2/$repo/blobs/{}"
    ;;
  unpack)
    host=$1 repo=$2 n=$3 out=$4; shift 4
    export host repo out
    printf '%s\n' "$@" | xargs -P "$n" -I{} sh -c 'd=$out/$(printf %s "$1" | cut -c8-19); mkdir -p "$d"; curl -sS -f "http://$host/v2/$repo/blobs/$1" | tar -xzf - -C "$d"' _ {}
    ;;
  upload)
    host=$1 repo=$2 n=$3 store=$4; shift 4
    for d in "$@"; do printf '%s %s\n' "$d" "$(blob_file "$store" "$d")"; done |
      xargs -P "$n" -L 1 sh -c 'loc=$(curl -sS -f -o /dev/null -D - -X POST "http://$0/v2/$1/blobs/uploads/" | tr -d "\r" | sed -n "s/^[Ll]ocation: //p"); curl -sS -f -o /dev/null -T "$3" -H "Content-Type: application/octet-stream" "$loc&digest=$2"' "$host" "$repo"
    ;;
  copy)
    src=$1 dst=$2 n=$3; shift 3
    export src dst
    # curl -T - sends a chunked body, as any copy that streams without buffering the blob must.
    printf '%s\n' "$@" | xargs -P "$n" -I{} sh -c 'loc=$(curl -sS -f -o /dev/null -D - -X POST "http://${dst%%/*}/v2/${dst#*/}/blobs/uploads/" | tr -d "\r" | sed -n "s/^[Ll]ocation: //p"); curl -sS -f "http://${src%%/*}/v2/${src#*/}/blobs/$1" | curl -sS -f -o /dev/null -T - -H "Content-Type: application/octet-stream" "$loc&digest=$1"' _ {}
    ;;
  pack)
    host=$1 repo=$2 n=$3; shift 3
    export host repo
    # The digest of a compressed stream is known only at its end: sha256sum reads a copy (tee to a FIFO).
    printf '%s\n' "$@" | xargs -P "$n" -I{} sh -c '
      loc=$(curl -sS -f -o /dev/null -D - -X POST "http://$host/v2/$repo/blobs/uploads/" | tr -d "\r" | sed -n "s/^[Ll]ocation: //p")
      work=$(mktemp -d); mkfifo "$work/fifo"
      sha256sum < "$work/fifo" > "$work/sum" & hasher=$!
      next=$(tar -c -C "$1" . | gzip | tee "$work/fifo" | curl -sS -f -o /dev/null -D - -X PATCH -T - -H "Content-Type: application/octet-stream" "$loc" | tr -d "\r" | sed -n "s/^[Ll]ocation: //p")
      wait $hasher
      case "$next" in http*) ;; *) next="http://$host$next" ;; esac
      curl -sS -f -o /dev/null -X PUT "$next&digest=sha256:$(cut -c1-64 "$work/sum")"
      rm -rf "$work"' _ {}
    ;;
  *)
    echo "raw-blobs.sh: unknown mode $mode" >&2; exit 2
    ;;
esac
