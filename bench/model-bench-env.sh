# Sourced by the model module's bench scripts: builds model's bench classes into model/target-bench, and sets
# root, OPT_OUT_TRACKING/DJL_OFFLINE, threads (libtorch flags from THREADS) and classpath for `java -cp`.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=target-bench
cd "$root"
mvn -B -q -ntp -o -Pbench -Djdpo.target="$target" -DskipTests package -pl model -am >&2
mvn -B -q -ntp -o -Djdpo.target="$target" dependency:build-classpath -pl model \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$root/model/$target/bench.classpath" >&2
export OPT_OUT_TRACKING=true DJL_OFFLINE=true
threads=()
if [[ -n "${THREADS:-}" ]]; then
  threads=(-Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1)
fi
classpath="$root/model/$target/classes:$(cat "$root/model/$target/bench.classpath")"
