#!/usr/bin/env bash
# The generated images of the media benchmark and the live upload suite, made from the shared
# corpus (../shared/corpus/media) with the vips CLI (libvips-tools). One place, so the bench
# and the suites measure the same files.
#
#   tests/media/images.sh OUTDIR     makes what is missing in OUTDIR, prints OUTDIR
#
# Files (baseline JPEG, quality 90, metadata stripped):
#   jpeg-12mp.jpg        4233x2822   the corpus' 18 MP Canon photo, resized  (~2.4 MB)
#   jpeg-24mp.jpg        6000x4000   the same photo, resized                 (~4.8 MB)
#   jpeg-48mp.jpg        8000x6000   the same photo, resized                 (~9.6 MB)
#   pano-20000x2000.jpg  20000x2000  the corpus' 10920x1226 panorama, resized (~10 MB)
# The camera-sized ones get Gaussian noise (sigma 6, like sensor noise): an upscaled photo
# alone is smoother than a camera's and compresses to half the bytes, and entropy decoding,
# the part of a JPEG decode that shrink-on-load cannot skip, follows the bytes.
# Idempotent: a file is made once (written to a temporary name, then renamed).
set -Eeuo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: tests/media/images.sh OUTDIR}
corpus=${WITSPER_MEDIA_CORPUS:-$root/../shared/corpus/media}
[[ -d $corpus ]] || { echo "images.sh: no media corpus at $corpus" >&2; exit 2; }
command -v vips >/dev/null || { echo "images.sh: the vips CLI is missing (apt-get install libvips-tools)" >&2; exit 2; }
mkdir -p "$out"

# make_one NAME SOURCE HSCALE VSCALE [NOISE_SIGMA]: SOURCE resized by HSCALE x VSCALE
# (plus noise) into OUTDIR/NAME. Intermediates are .v files (libvips' own format) in a
# private directory, removed at once.
make_one() {
  local name=$1 src=$corpus/$2 h=$3 v=$4 sigma=${5:-0} t w hgt
  [[ -s $out/$name ]] && return 0
  t=$(mktemp -d "$out/.tmp.XXXXXX")
  if (( sigma > 0 )); then
    nice -n 10 vips resize "$src" "$t/r.v" "$h" --vscale "$v"
    w=$(vipsheader -f width "$t/r.v") hgt=$(vipsheader -f height "$t/r.v")
    nice -n 10 vips gaussnoise "$t/n.v" "$w" "$hgt" --sigma "$sigma" --mean 0
    nice -n 10 vips add "$t/r.v" "$t/n.v" "$t/s.v"
    rm -f "$t/r.v" "$t/n.v"
    nice -n 10 vips cast "$t/s.v" "$t/c.v" uchar
    rm -f "$t/s.v"
    nice -n 10 vips jpegsave "$t/c.v" "$t/out.jpg" --Q 90 --strip
  else
    nice -n 10 vips resize "$src" "$t/out.jpg[Q=90,strip]" "$h" --vscale "$v"
  fi
  mv -f "$t/out.jpg" "$out/$name"
  rm -rf "$t"
}
canon=photos/canon_eos1300d_18mp_dark.jpg   # 5184x3456
make_one jpeg-12mp.jpg "$canon" 0.81655 0.81655 6
make_one jpeg-24mp.jpg "$canon" 1.157408 1.157408 6
make_one jpeg-48mp.jpg "$canon" 1.543210 1.736112 6
make_one pano-20000x2000.jpg dimensions/wide_10920x1226_constructed-from-real-pano.jpg 1.831502 1.631322
echo "$out"
