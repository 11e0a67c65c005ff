#!/usr/bin/env bash
# weft set-up: installs every dependency when missing, then configures and builds.
# Safe to run twice: installed packages are skipped and the build is incremental.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WEFT_BUILD_DIR:-$root/build}"

apt_pkgs=(libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
          libopenmpi-dev openmpi-bin pybind11-dev ninja-build ccache
          cmake g++ python3 zlib1g-dev libzstd-dev
          libopenblas-dev libgtest-dev clang-14 libclang-rt-14-dev libglpk-dev)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[weft setup] installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

py="${PYTHON:-python3}"
if ! "$py" -c "import numpy, pytest, pybind11, scikit_build_core; assert tuple(map(int, pybind11.__version__.split('.')[:2])) >= (2, 12)" 2>/dev/null; then
  echo "[weft setup] installing Python packages (numpy, pytest, pybind11>=2.12, scikit-build-core)"
  "$py" -m pip install -q numpy pytest "pybind11>=2.12" "scikit-build-core>=0.10"
fi

echo "[weft setup] configuring in $build"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DPython3_EXECUTABLE="$(command -v "$py")"
fi
echo "[weft setup] building ($(nproc) jobs)"
cmake --build "$build" -- -j"$(nproc)"
# The Python package: reinstalled only when a source it is built from changed.
stamp="$build/python-installed.stamp"
sources_hash=$(cd "$root" && find python include lib runtime cmake CMakeLists.txt \
  -type f \( -name '*.py' -o -name '*.cpp' -o -name '*.h' -o -name '*.td' \
  -o -name '*.txt' -o -name '*.toml' -o -name '*.cmake' \) -not -path '*/tests/*' \
  -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$sources_hash" ] || \
   ! (cd "$build" && "$py" -c "import weft._weft") 2>/dev/null; then
  echo "[weft setup] installing the Python package (pip install ./python)"
  "$py" -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    --no-build-isolation "$root/python"
  echo "$sources_hash" > "$stamp"
fi
echo "[weft setup] done: tools in $build/bin, 'import weft' ready"
