#!/bin/sh
# Packs TensorFlow for the device machine: .gpu/p00, .gpu/p01, ... (60 MiB each).
#
# The nvidia-h200 image holds PyTorch and JAX on CUDA 13, no TensorFlow, and reaches
# no package registry. TF 2.21 loads CUDA 12 libraries (cudart, cuBLAS, cuFFT,
# cuSOLVER, cuSPARSE, nvJitLink; cuDNN 9 is taken from the image), and one device call
# carries at most 64 MiB. So this script downloads the wheels here, unpacks them into
# one site folder without what a training step never loads (headers, cuSOLVER-Mg,
# NVBLAS, cuFFTW, the profiler plugin), compresses it (913 MB on 2026-12-04) and
# splits it; each piece then travels in one call while the machine stays warm
# (docs/benchmarks.md). Versions are the local environment's, so the device runs what
# CI tests. XLA warns that ptxas 12.5 miscompiles some clamping edge cases (fixed in
# 12.6.3); 12.5.82 is what ran, nvidia-cuda-nvcc-cu12==12.9.86 (manylinux_2_12) is
# untried.
#
# WHEELS=<dir> packs the wheels already there instead of downloading (the test's
# small ones), PIECES=<dir> writes the pieces elsewhere, PIECE_SIZE sets their size.
set -eu
cd "$(dirname "$0")/.."
stage=${STAGE:-/tmp/tfgan_zoo_device_stage}
pieces=${PIECES:-.gpu}
version() { python -m pip show "$1" | sed -n 's/^Version: //p'; }
rm -rf "$stage" "$pieces" && mkdir -p "$stage/wheels" "$stage/site" "$pieces"
if [ -n "${WHEELS:-}" ]; then
  cp "$WHEELS"/*.whl "$stage/wheels/"
else
  python -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$stage/wheels" \
    "tensorflow==$(version tensorflow)" "keras==$(version keras)" \
    "tensorflow-serving-api==$(version tensorflow-serving-api)" \
    "tensorboard==$(version tensorboard)" "numpy==$(version numpy)" \
    "ml_dtypes==$(version ml_dtypes)" "protobuf==$(version protobuf)" \
    "optree==$(version optree)" "namex==$(version namex)" astunparse gast google-pasta \
    termcolor nvidia-cuda-runtime-cu12==12.5.82 nvidia-nvjitlink-cu12==12.5.82 \
    nvidia-cuda-nvcc-cu12==12.5.82 nvidia-cublas-cu12==12.5.3.2 \
    nvidia-cufft-cu12==11.2.3.61 nvidia-cusolver-cu12==11.6.3.83 \
    nvidia-cusparse-cu12==12.5.1.3
fi
for wheel in "$stage"/wheels/*.whl; do unzip -q -o "$wheel" -d "$stage/site"; done
cd "$stage/site"
rm -rf tensorflow/include nvidia/*/include nvidia/cusolver/lib/libcusolverMg.so.* \
  nvidia/cublas/lib/libnvblas.so.* nvidia/cufft/lib/libcufftw.so.*
plugin=tensorflow/python/profiler/internal/_pywrap_profiler_plugin
rm -f "$plugin".so && echo '"""Not carried: only the TensorBoard profiler uses it."""' >"$plugin".py
cd "$OLDPWD"
tar -cf - -C "$stage" site | xz -T0 -6 | split -b "${PIECE_SIZE:-60M}" -d -a 2 - "$pieces"/p
ls -l "$pieces" && echo "DEVICE_PIECES=$(ls "$pieces" | wc -l)"
