#!/bin/bash
# Real programs under the example malloc (LD_PRELOAD) give the same output as
# without it: xz -T2 compress + decompress, sort --parallel=2 of a large file,
# python3 with threads, and gcc + make building this project's library
# sources (objects compared byte for byte); xz once more with libpercpu's
# fallback path (no rseq).
set -u
so="$builddir/.libs/libpercpu-malloc.so"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=1; fi
}
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
if [ -n "${PERCPU_SAN_FLAGS:-}" ]; then
	echo "1..0 # SKIP sanitizer build: the sanitizers bring their own malloc"
	exit 0
fi
if [ ! -f "$so" ]; then
	echo "1..0 # SKIP $so not built"
	exit 0
fi
# The system's programs use glibc: a module built for another C library
# (musl-gcc) cannot be preloaded into them.
if command -v objdump >/dev/null && ! objdump -p "$so" | grep -q 'NEEDED.*libc\.so\.6'; then
	echo "1..0 # SKIP the module is not linked with glibc, which the programs run here use"
	exit 0
fi
pre() {
	env LD_PRELOAD="$so" LD_LIBRARY_PATH="$top_builddir/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"
}
echo "1..7"

pre cat /proc/self/maps | grep -q libpercpu-malloc.so
ok $? "the module is loaded into a preloaded program"

# 24 MB of text that compresses a little, different every line.
seq 1 1500000 | awk '{ printf "%d %x %s\n", ($1 * 7919) % 1000003, $1 * 31, ($1 % 7 ? "abc" : "defghij") }' \
	>"$tmp/data"
if command -v xz >/dev/null; then
	xz -T2 -3 -c "$tmp/data" >"$tmp/plain.xz"
	pre xz -T2 -3 -c "$tmp/data" >"$tmp/pre.xz" && pre xz -T2 -d -c "$tmp/pre.xz" >"$tmp/pre.out"
	cmp -s "$tmp/plain.xz" "$tmp/pre.xz" && cmp -s "$tmp/data" "$tmp/pre.out"
	ok $? "xz -T2: same compressed bytes, round trip exact"
	PERCPU_DISABLE_RSEQ=1 pre xz -T2 -3 -c "$tmp/data" >"$tmp/fb.xz"
	cmp -s "$tmp/plain.xz" "$tmp/fb.xz"
	ok $? "xz -T2 on libpercpu's fallback path: same compressed bytes"
else
	skip "no xz"
	skip "no xz"
fi

sort --parallel=2 -S 64M "$tmp/data" >"$tmp/plain.sort"
pre sort --parallel=2 -S 64M "$tmp/data" >"$tmp/pre.sort"
cmp -s "$tmp/plain.sort" "$tmp/pre.sort"
ok $? "sort --parallel=2 of $(wc -l <"$tmp/data") lines: same output"

cat >"$tmp/threads.py" <<'PY'
import threading, hashlib
out = [None] * 4
def work(i):
    d = {}
    for k in range(200000):
        d[str(k * (i + 1))] = [k] * (k % 7)
    s = sorted(d.items(), key=lambda kv: kv[0])
    h = hashlib.sha256()
    for k, v in s[::97]:
        h.update(k.encode()); h.update(bytes(len(v)))
    out[i] = h.hexdigest()
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("\n".join(out))
PY
if command -v python3 >/dev/null; then
	python3 "$tmp/threads.py" >"$tmp/plain.py"
	pre python3 "$tmp/threads.py" >"$tmp/pre.py"
	cmp -s "$tmp/plain.py" "$tmp/pre.py" && [ -s "$tmp/pre.py" ]
	ok $? "python3 with 4 threads: same output"
else
	skip "no python3"
fi

# gcc and make under the malloc build the library's sources (no -g: the
# debug information names the build directory, which differs).
mkdir -p "$tmp/plain" "$tmp/pre"
{
	echo "CFLAGS = -O2 -fPIC -I$top_builddir/include -I$top_srcdir/include -I$top_srcdir -I$top_builddir -pthread"
	echo "SRCS = $(cd "$top_srcdir" && ls lib/*.c | tr '\n' ' ')"
	echo 'all: $(patsubst lib/%.c,%.o,$(SRCS))'
	echo "%.o: $top_srcdir/lib/%.c"
	printf '\t$(CC) $(CFLAGS) -c -o $@ $<\n'
} >"$tmp/Makefile"
make -s -j2 -C "$tmp/plain" -f "$tmp/Makefile" CC=gcc >/dev/null 2>&1
pre make -s -j2 -C "$tmp/pre" -f "$tmp/Makefile" CC=gcc >"$tmp/make.log" 2>&1
st=$?
same=0
for o in "$tmp"/plain/*.o; do
	cmp -s "$o" "$tmp/pre/$(basename "$o")" || same=1
done
[ $st = 0 ] && [ $same = 0 ] && ls "$tmp"/plain/*.o >/dev/null 2>&1
ok $? "make -j2 with gcc builds lib/*.c into the same objects ($(ls "$tmp"/pre/*.o 2>/dev/null | wc -l) files)"
[ $st = 0 ] || sed 's/^/# /' "$tmp/make.log" | head -20

# Allocations made before fork are usable in the child, threads or not.
if ! command -v python3 >/dev/null; then
	skip "no python3"
	exit 0
fi
pre python3 -c '
import os, threading
ts = [threading.Thread(target=lambda: [bytearray(100) for _ in range(100000)]) for _ in range(2)]
for t in ts: t.start()
pid = os.fork()
if pid == 0:
    x = [str(i) * 10 for i in range(100000)]
    os._exit(0 if len(x) == 100000 else 1)
for t in ts: t.join()
_, st = os.waitpid(pid, 0)
raise SystemExit(os.WEXITSTATUS(st))'
ok $? "python3 forks while 2 threads allocate; the child allocates and exits 0"
exit 0
