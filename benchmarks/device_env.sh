# Sourced on the device machine, in the repository root: `. benchmarks/device_env.sh`.
#
# Gathers the pieces of benchmarks/device_pack.sh that arrived in .gpu/ (one a call)
# into $DEVICE_ROOT/tfgan_zoo_pieces; once all have come (DEVICE_PIECES=N), unpacks
# them and points Python, XLA and the loader at the carried TensorFlow and CUDA 12
# libraries (TF's own search path misses cuSOLVER, so every library folder is named).
# cuDNN 9 and the libcublasLt.so.13 that it loads are the image's own.
pieces=${DEVICE_ROOT:-/tmp}/tfgan_zoo_pieces
site=${DEVICE_ROOT:-/tmp}/tfgan_zoo_site/site
mkdir -p "$pieces" && mv .gpu/p* "$pieces"/ 2>/dev/null
echo "pieces here: $(ls "$pieces" | wc -l) of ${DEVICE_PIECES:-?}"
if [ ! -d "$site" ] && [ "$(ls "$pieces" | wc -l)" = "${DEVICE_PIECES:-}" ]; then
  mkdir -p "${site%/site}" && cat "$pieces"/p* | xz -d -T0 | tar -x -C "${site%/site}" \
    && echo "unpacked into $site"
fi
export PYTHONPATH="$site:$PWD" PATH="$site/nvidia/cuda_nvcc/bin:$PATH" PYTHONUNBUFFERED=1 \
  XLA_FLAGS="--xla_gpu_cuda_data_dir=$site/nvidia/cuda_nvcc" \
  LD_LIBRARY_PATH="$(printf '%s:' "$site"/nvidia/*/lib)/usr/local/cuda-13.0/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
