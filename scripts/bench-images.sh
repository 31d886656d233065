#!/usr/bin/env bash
# DDHub's photo normalisation against libvips's vipsthumbnail, side by side on the same real
# photographs (Debian's plasma-workspace-wallpapers: JPEGs up to 5120×2880), in one run.
#
#   scripts/bench-images.sh            # JOBS=$(nproc) ROUNDS=2 REPEAT=4 by default
#
# Both sides produce large/medium/thumb (long edge 1600/800/320, never upscaled), JPEG at
# quality 85 (4:2:0, baseline, no Huffman optimisation: libvips's defaults) and lossy WebP at
# quality 80 (libwebp method 4, libvips's default effort), metadata stripped, written to disk.
#   - DDHub: one process, `ddhub images normalise --no-profiles [--jpeg-only]` with JOBS jobs
#     (decode once with shrink-on-load, resize a pyramid, encode every output).
#   - libvips: one `vipsthumbnail` invocation per size (and per format), each re-decoding with
#     shrink-on-load, libvips's own threading (VIPS_CONCURRENCY defaults to the cores). This is
#     the anchor for time and memory. A second libvips row runs JOBS vipsthumbnail processes in
#     parallel (xargs -P, VIPS_CONCURRENCY=1): often faster; its memory is per process, so it is
#     shown but not used for the memory ratio.
# Time is wall-clock and peak memory is max RSS, both from /usr/bin/time (%e, %M: the same
# getrusage figures `time -v` prints); best of ROUNDS. The script prints figures and never fails
# on them.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK="$ROOT/target/bench-images"
JOBS=${JOBS:-$(nproc)}
ROUNDS=${ROUNDS:-2}
REPEAT=${REPEAT:-4}

"$ROOT/scripts/install-deps.sh" --bench

# --- photographs ------------------------------------------------------------------------------
mkdir -p "$WORK/deb"
if ! ls "$WORK"/deb/plasma-workspace-wallpapers_*.deb >/dev/null 2>&1; then
  (cd "$WORK/deb" && apt-get download plasma-workspace-wallpapers)
fi
if [[ ! -d "$WORK/photos" ]]; then
  rm -rf "$WORK/x" "$WORK/unique"
  dpkg-deb -x "$WORK"/deb/plasma-workspace-wallpapers_*.deb "$WORK/x"
  mkdir -p "$WORK/unique" "$WORK/photos.tmp"
  # Every wallpaper's photographs (contents/images*/), deduplicated by content: many sizes of a
  # wallpaper are the same file.
  declare -A seen=()
  while IFS= read -r f; do
    sum=$(sha256sum "$f" | cut -c1-16)
    [[ -n "${seen[$sum]:-}" ]] && continue
    seen[$sum]=1
    name=$(echo "$f" | sed 's#.*/wallpapers/\([^/]*\)/.*#\1#')
    cp "$f" "$WORK/unique/${name}_$(basename "$f")"
  done < <(find "$WORK/x" -path '*/contents/images*' -name '*.jpg' | sort)
  # REPEAT copies under different names, so each run lasts long enough to measure.
  for r in $(seq 1 "$REPEAT"); do
    for f in "$WORK"/unique/*.jpg; do cp "$f" "$WORK/photos.tmp/r${r}_$(basename "$f")"; done
  done
  mv "$WORK/photos.tmp" "$WORK/photos"
fi
PHOTOS="$WORK/photos"
COUNT=$(ls "$PHOTOS"/*.jpg | wc -l)

# --- build ------------------------------------------------------------------------------------
(cd "$ROOT" && cargo build --release -q -p ddhub)
BENCH_BIN="$ROOT/target/release/ddhub"
BENCH() { "$BENCH_BIN" images normalise "$@"; }
export BENCH_BIN
export -f BENCH

# Source megapixels, counted by DDHub (the same headers libvips reads).
rm -rf "$WORK/out"
MP=$(BENCH "$PHOTOS" "$WORK/out" --jobs "$JOBS" --jpeg-only --no-profiles --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["source_megapixels"], 1))')

# measure NAME CMD... → sets SECS and RSS_KB (best time of ROUNDS, RSS of that run)
measure() {
  local best_s="" best_rss=""
  for _ in $(seq 1 "$ROUNDS"); do
    rm -rf "$WORK/out" && mkdir -p "$WORK/out"
    /usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
      echo "command failed: $*" >&2; tail -5 "$WORK/stderr.txt" >&2; }
    read -r s rss < <(tail -1 "$WORK/time.txt")
    if [[ -z "$best_s" ]] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; best_rss=$rss; fi
  done
  SECS=$best_s
  RSS_KB=$best_rss
}

vips_serial() { # FORMATS...: one vipsthumbnail per size and format
  local out="$WORK/out"
  for fmt in "$@"; do
    for size in 1600 800 320; do
      vipsthumbnail --size "${size}x${size}>" -o "$out/%s_${size}.$fmt" "$PHOTOS"/*.jpg
    done
  done
}
vips_parallel() {
  local out="$WORK/out"
  for fmt in "$@"; do
    for size in 1600 800 320; do
      ls "$PHOTOS"/*.jpg | VIPS_CONCURRENCY=1 xargs -P "$JOBS" -n 4 \
        vipsthumbnail --size "${size}x${size}>" -o "$out/%s_${size}.$fmt"
    done
  done
}
export -f vips_serial vips_parallel
export WORK PHOTOS JOBS
JPG='jpg[Q=85,strip]'
WEBP='webp[Q=80,strip]'

declare -A T M
row() { # key label
  printf '%-44s %8.2f %9.2f %10.1f %10.0f\n' "$2" "${T[$1]}" "$(awk "BEGIN{print $COUNT/${T[$1]}}")" \
    "$(awk "BEGIN{print $MP/${T[$1]}}")" "$(awk "BEGIN{print ${M[$1]}/1024}")"
}

measure "$BENCH_BIN" images normalise "$PHOTOS" "$WORK/out" --jobs "$JOBS" --no-profiles --jpeg-only; T[dj]=$SECS; M[dj]=$RSS_KB
measure bash -c "vips_serial '$JPG'"; T[vj]=$SECS; M[vj]=$RSS_KB
measure bash -c "vips_parallel '$JPG'"; T[pj]=$SECS; M[pj]=$RSS_KB
measure "$BENCH_BIN" images normalise "$PHOTOS" "$WORK/out" --jobs "$JOBS" --no-profiles; T[dw]=$SECS; M[dw]=$RSS_KB
measure bash -c "vips_serial '$JPG' '$WEBP'"; T[vw]=$SECS; M[vw]=$RSS_KB
measure bash -c "vips_parallel '$JPG' '$WEBP'"; T[pw]=$SECS; M[pw]=$RSS_KB
measure "$BENCH_BIN" images normalise "$PHOTOS" "$WORK/out" --jobs "$JOBS"; T[df]=$SECS; M[df]=$RSS_KB

echo
echo "photos: $COUNT JPEGs, $MP source megapixels ($(ls "$WORK"/unique | wc -l) distinct × $REPEAT); jobs: $JOBS; best of $ROUNDS"
echo "libvips: $(vips --version 2>/dev/null || echo '?')"
printf '%-44s %8s %9s %10s %10s\n' "run" "seconds" "images/s" "source MP/s" "peak MiB"
row dj "DDHub    JPEG outputs"
row vj "libvips  JPEG outputs (vipsthumbnail)"
row pj "libvips  JPEG outputs (xargs -P $JOBS; RSS/proc)"
row dw "DDHub    JPEG + WebP outputs"
row vw "libvips  JPEG + WebP outputs (vipsthumbnail)"
row pw "libvips  JPEG + WebP (xargs -P $JOBS; RSS/proc)"
row df "DDHub    JPEG + WebP + square_white + google"
echo
ratio() { awk "BEGIN{printf \"%.2f\", $1/$2}"; }
echo "ratio DDHub/libvips time, JPEG outputs:   $(ratio "${T[dj]}" "${T[vj]}")x (target <= 1.0; vs xargs -P: $(ratio "${T[dj]}" "${T[pj]}")x)"
echo "ratio DDHub/libvips time, JPEG + WebP:    $(ratio "${T[dw]}" "${T[vw]}")x (target <= 1.2; vs xargs -P: $(ratio "${T[dw]}" "${T[pw]}")x)"
echo "ratio DDHub/libvips peak memory, JPEG:    $(ratio "${M[dj]}" "${M[vj]}")x (target <= 1.5)"
echo "ratio DDHub/libvips peak memory, +WebP:   $(ratio "${M[dw]}" "${M[vw]}")x (target <= 1.5)"
