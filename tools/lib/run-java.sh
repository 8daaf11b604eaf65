# Sourced by the launchers (tools/alexnet, the distribution's bin/alexnet): runs the JVM with TensorFlow's
# environment and its stderr as docs/cli.md promises.
#   run_java JAVA [JVM_ARG...] -- MAIN_CLASS [ARG...]      returns the program's exit code

# TensorFlow's C++ info lines (CPU features, MLIR) are noise for a CLI; warnings and errors still show.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
# TensorFlow's oneDNN kernels: off by default in TF-Java, read once when TensorFlow starts, measured faster here for
# every command (fine-tuning +33%, full training +40%; BENCHMARKS.md). TF_ENABLE_ONEDNN_OPTS=0 turns them off.
export TF_ENABLE_ONEDNN_OPTS="${TF_ENABLE_ONEDNN_OPTS:-1}"
# On a GPU since Ampere, TensorFlow computes float32 matmuls and convolutions in TF32 (~1e-3 relative error; the
# fidelity and gradient tests fail under it, BENCHMARKS.md). 0 keeps the CPU's float32 results; NVIDIA_TF32_OVERRIDE=1
# lets TensorFlow use TF32 (11-28% faster inference on an H200). No effect on the CPU.
export NVIDIA_TF32_OVERRIDE="${NVIDIA_TF32_OVERRIDE:-0}"

# Lines TensorFlow's native code writes to fd 2 whatever TF_CPP_MIN_LOG_LEVEL says (absl before its logging
# starts, and MLIR's pass notice), on every command.
ALEXNET_TF_NOISE='^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$'
ALEXNET_TF_NOISE+='|mlir_graph_optimization_pass\.cc'

run_java() {
  local java="$1"
  shift
  local jvm=()
  while [[ $# -gt 0 && "$1" != -- ]]; do jvm+=("$1"); shift; done
  shift
  local progress=0 direct=()
  if [[ -t 2 ]]; then
    # A terminal: the progress bar draws there, partial lines and all, so Java writes to it directly (fd 3); only
    # the native code's fd 2 passes the filter. A file or a pipe: no bar, every line passes the one filter in order.
    progress=1
    direct=(-Dalexnet.stderr=/dev/fd/3)
  fi
  # stdout straight through, stderr through the filter. The JVM runs in the background so that this shell can pass
  # on a SIGTERM (docker stop, systemd, kill) or Ctrl-C: as SIGTERM, which the JVM of a script's background job
  # hears (SIGINT it would ignore), so serve finishes its requests and exits 0. Then the filter is waited for, so
  # no line of stderr comes after the exit. Written so that a caller's set -e stops nothing here.
  local filter filter_pid pid code=0
  coproc ALEXNET_FILTER { grep --line-buffered -v -E "$ALEXNET_TF_NOISE" >&2 || true; }
  filter_pid=$ALEXNET_FILTER_PID
  exec {filter}>&"${ALEXNET_FILTER[1]}"   # a coprocess's own descriptors do not reach a background job
  "$java" "${jvm[@]}" -Dalexnet.progress=$progress "${direct[@]}" "$@" 3>&2 2>&"$filter" &
  pid=$!
  exec {filter}>&- {ALEXNET_FILTER[1]}>&-
  trap 'kill -TERM "$pid" 2>/dev/null || true' TERM INT HUP
  while true; do
    wait "$pid" && code=0 || code=$?
    kill -0 "$pid" 2>/dev/null || break   # the JVM has ended; otherwise wait was cut short by a signal
  done
  trap - TERM INT HUP
  wait "$filter_pid" 2>/dev/null || true
  return "$code"
}
