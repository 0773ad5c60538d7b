#!/bin/sh
# Copies the current build into DIR as an installed layout (bin/, lib/*.jar, as the tarball has) plus
# what WorkerBenchmark needs (target/test-classes, target/classpath-test.txt, src/test/js), so that
#  - the daemon runs from jars, as installed (JDK 17 archives classes for CDS from jars only), and
#  - benchmarks of two builds can run one after the other while the tree changes.
# Usage: mvn -q -B -o test-compile && benchmarks/snapshot.sh DIR
#        (cd DIR && java -cp target/test-classes:target/classes:$(cat target/classpath-test.txt) \
#             io.lkworker.bench.WorkerBenchmark --rounds 3 --seq 30 --out /tmp/result.md)
set -e
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd -P)
rm -rf "$1"
mkdir -p "$1"
d=$(cd "$1" && pwd -P)
mkdir -p "$d/target" "$d/src/test" "$d/lib"
cp -r "$src/bin" "$d/"
cp -r "$src/target/classes" "$src/target/test-classes" "$src/target/classpath.txt" "$src/target/classpath-test.txt" "$d/target/"
(cd "$src/target/classes" && jar cf "$d/lib/lk-worker.jar" .)
for j in $(tr ':' ' ' < "$src/target/classpath.txt"); do cp "$j" "$d/lib/"; done
ln -s "$src/src/test/js" "$d/src/test/js"
echo "$d"
