#!/bin/bash
# bench/malloc-bench.sh [SECONDS] - malloc/free pairs of 16 B to 1 KiB under
# glibc, jemalloc, mimalloc, tcmalloc (Debian's libjemalloc2, libmimalloc2.0,
# libtcmalloc-minimal4, where installed) and examples/malloc, each in its own
# process (LD_PRELOAD), at 1, all and 8x the CPUs threads, same thread and
# freed by another thread; one markdown table: ns per pair and peak RSS.
# Run from the build's bench/ directory (make bench-malloc does).
set -u
secs=${1:-1}
here=$(cd "$(dirname "$0")" && pwd)
prog=${MALLOC_PAIRS:-./malloc_pairs}
top=${top_builddir:-..}
cpus=$(nproc)
lib=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
declare -A so=([glibc]= [jemalloc]=$lib/libjemalloc.so.2 [mimalloc]=$lib/libmimalloc.so.2
	[tcmalloc]=$lib/libtcmalloc_minimal.so.4 [percpu]=$top/examples/malloc/.libs/libpercpu-malloc.so)
order="glibc jemalloc mimalloc tcmalloc percpu"
echo "malloc/free pairs, 16 B - 1 KiB, ${secs} s per cell, $cpus CPUs ($(uname -m), $(date -u +%F))"
echo
printf '| allocator |'
for m in same cross; do for t in 1 $cpus $((8 * cpus)); do printf ' %s %dT ns |' $m $t; done; done
printf ' peak RSS %dT same / cross (MiB) |\n' $((8 * cpus))
printf '|---|'; for i in 1 2 3 4 5 6 7; do printf -- '---|'; done; echo
for a in $order; do
	if [ -n "${so[$a]}" ] && [ ! -f "${so[$a]}" ]; then
		echo "| $a | not installed (${so[$a]}) |"
		continue
	fi
	printf '| %s |' "$a"
	rss=
	for m in same cross; do
		for t in 1 $cpus $((8 * cpus)); do
			out=$(env ${so[$a]:+LD_PRELOAD=${so[$a]}} LD_LIBRARY_PATH="$top/.libs" \
				"$prog" $m $t "$secs") || out="- - failed - -"
			set -- $out
			printf ' %s |' "$3"
			[ "$t" = $((8 * cpus)) ] && rss="$rss${rss:+ / }$(awk -v k="$5" 'BEGIN { printf "%.1f", k / 1024 }')"
		done
	done
	printf ' %s |\n' "$rss"
done
