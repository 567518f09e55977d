#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/arch/run.sh [ARCH...] - build libpercpu's tests for every architecture
# and run them: natively (x86_64, on the host's kernel), under qemu-user
# (fallback mode only: qemu has no rseq), and under qemu-system on two real
# Debian kernels, where rseq works and the kernel really aborts sequences:
#   old  the oldest kernel supported, Debian 12's (6.1)
#   new  the newest Debian ships: Debian unstable's current kernel, found
#        through the archive's package index (never a fixed version).  From
#        Linux 7.x Debian splits it: image in linux-binary-<v>, config in
#        linux-base-<v>, both under /usr/lib/modules/<v>/.  Where the kernel
#        has the rseq_debug= switch (Linux >= 6.19), it boots with
#        rseq_debug=1: the kernel then checks that user space writes none of
#        its fields in struct rseq, and kills a thread that does.
#
# ARCH: x86_64 aarch64 ppc64el armhf armhf-arm mips64el mipsel s390x riscv64
# (default: all).  armhf builds Thumb-2 (Debian's default), armhf-arm ARM
# mode.  riscv64 has no Debian 12 kernel (new kernel only, OpenSBI firmware
# from qemu); mips64el and mipsel have no unstable kernel (old only).  Also
# known, not run by default, qemu-user only: ppc64 (big-endian).
#
# Environment:
#   PERCPU_QEMU_CACHE  kernels and apt state (default ~/.cache/libpercpu-qemu)
#   PERCPU_ARCH_OUT    builds and logs (default $PERCPU_QEMU_CACHE/out)
#   PERCPU_KERNELS     which kernels: "old new" (default), "old" or "new"
#   PERCPU_ARCH_MANIFEST  the programs and modes to run (default tests.list)
#   PERCPU_NEW_SUITE   the Debian suite the newest kernel comes from
#                      (default unstable)
#   PERCPU_TEST_SECS   minimum seconds per stress test in guests (default 2)
#   PERCPU_TEST_MAX_SECS  a stress test's deadline when it has not yet seen
#                      what it must (default 10 times PERCPU_TEST_SECS)
#   PERCPU_NO_INSTALL  set: never apt-get install (report what is missing)
#   PERCPU_GUEST_IDLE  a guest that prints nothing for this many seconds is
#                      killed (default 300, or 3 deadlines + 120 s: more than
#                      init's limit per program)
#   PERCPU_BOOT_TIMEOUT a guest is killed after this many seconds however much
#                      it prints (default 3600)
#   PERCPU_TCG_THREADS "multi" or "single": host threads for a guest's vCPUs
#                      (default multi, single for ppc64 guests on QEMU < 9.0:
#                      see tcg_threads below)
#
# Needs root only to install missing Debian packages.  Ends with one line per
# architecture (build, libatomic check, native or qemu-user run) and one per
# architecture and kernel ("aarch64-6.1", "aarch64-7.2"), each
# "<name>: N passed, N failed, N skipped, aborts=N", and exits 1 if any test
# failed or a guest booted without producing results.  What cannot run (no
# toolchain, no kernel after retries) is counted as skipped, with the reason
# above the summary, never as passed.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
MANIFEST=${PERCPU_ARCH_MANIFEST:-$SRC/tests/arch/tests.list}
CACHE=${PERCPU_QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libpercpu-qemu}
OUT=${PERCPU_ARCH_OUT:-$CACHE/out}
SECS=${PERCPU_TEST_SECS:-2}
MAX_SECS=${PERCPU_TEST_MAX_SECS:-$(awk -v s="$SECS" 'BEGIN { print 10 * s }')}
# More than init.c's limit per program (180 s, or 3 deadlines + 60 s).
GUEST_IDLE=${PERCPU_GUEST_IDLE:-$(awk -v m="$MAX_SECS" 'BEGIN { t = 3 * m + 120; print (t > 300 ? int(t) : 300) }')}
BOOT_TIMEOUT=${PERCPU_BOOT_TIMEOUT:-3600}
KERNELS=${PERCPU_KERNELS:-old new}
NEW_SUITE=${PERCPU_NEW_SUITE:-unstable}
ALL="x86_64 aarch64 ppc64el armhf armhf-arm mips64el mipsel s390x riscv64"
KNOWN="$ALL ppc64"
ARCHES=${*:-${ARCHES:-$ALL}}

# arch -> GNU triple, Debian architecture, extra compiler flags, extra libs
declare -A TRIPLE=([x86_64]=x86_64-linux-gnu [aarch64]=aarch64-linux-gnu
	[ppc64el]=powerpc64le-linux-gnu [armhf]=arm-linux-gnueabihf
	[armhf-arm]=arm-linux-gnueabihf [mips64el]=mips64el-linux-gnuabi64
	[mipsel]=mipsel-linux-gnu [s390x]=s390x-linux-gnu [ppc64]=powerpc64-linux-gnu
	[riscv64]=riscv64-linux-gnu)
declare -A DEBARCH=([x86_64]=amd64 [aarch64]=arm64 [ppc64el]=ppc64el [armhf]=armhf
	[armhf-arm]=armhf [mips64el]=mips64el [mipsel]=mipsel [s390x]=s390x [ppc64]=ppc64
	[riscv64]=riscv64)
declare -A XFLAGS=([armhf-arm]=-marm)
# o32 MIPS has no 64-bit atomic instructions: GCC calls libatomic.
declare -A XLIBS=([mipsel]=-latomic)
# Kernel metapackage, emulator (Debian package, command), console, CPUs,
# accelerator: the boot set-ups the multi-arch recipe proved on this host.
declare -A KMETA=([x86_64]=linux-image-amd64 [aarch64]=linux-image-arm64
	[ppc64el]=linux-image-powerpc64le [armhf]=linux-image-armmp-lpae
	[armhf-arm]=linux-image-armmp-lpae [mips64el]=linux-image-5kc-malta
	[mipsel]=linux-image-4kc-malta [s390x]=linux-image-s390x)
# The same names in Debian unstable (no MIPS port there any more).
declare -A KMETA_NEW=([x86_64]=linux-image-amd64 [aarch64]=linux-image-arm64
	[ppc64el]=linux-image-powerpc64le [armhf]=linux-image-armmp-lpae
	[armhf-arm]=linux-image-armmp-lpae [s390x]=linux-image-s390x
	[riscv64]=linux-image-riscv64)
declare -A QPKG=([x86_64]=qemu-system-x86 [aarch64]=qemu-system-arm [ppc64el]=qemu-system-ppc
	[armhf]=qemu-system-arm [armhf-arm]=qemu-system-arm [mips64el]=qemu-system-mips
	[mipsel]=qemu-system-mips [s390x]=qemu-system-misc [riscv64]=qemu-system-misc)
# aarch64: pauth-impdef=on reaches init in 2-3 s instead of 10.  ppc64:
# x-vof=on skips SLOF.  MIPS Malta: no SMP CPU model boots Debian's kernels
# reliably, and 34Kf with 2 VPEs has broken timers, so one CPU (preemption
# and signal aborts still happen; migration ones do not).  -vga none: the
# Malta's default Cirrus VGA needs a BIOS file (vgabios) we do not need.
declare -A QSYS=([x86_64]="qemu-system-x86_64 -M q35 -cpu max"
	[aarch64]="qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on"
	[ppc64el]="qemu-system-ppc64 -M pseries,x-vof=on -cpu power9"
	[armhf]="qemu-system-arm -M virt -cpu cortex-a15"
	[armhf-arm]="qemu-system-arm -M virt -cpu cortex-a15"
	[mips64el]="qemu-system-mips64el -M malta -cpu 5KEf -vga none"
	[mipsel]="qemu-system-mipsel -M malta -cpu 34Kf -vga none"
	[s390x]="qemu-system-s390x -M s390-ccw-virtio -cpu max"
	[riscv64]="qemu-system-riscv64 -M virt -cpu rv64 -bios default")
# riscv64: "-bios default" is the OpenSBI firmware qemu ships
# (/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin), which starts
# the kernel given with -kernel in S mode; the virt board's 16550 UART is
# the console.
declare -A CONSOLE=([x86_64]=ttyS0 [aarch64]=ttyAMA0 [ppc64el]=hvc0 [armhf]=ttyAMA0
	[armhf-arm]=ttyAMA0 [mips64el]=ttyS0 [mipsel]=ttyS0 [s390x]=ttysclp0 [riscv64]=ttyS0)
declare -A SMP=([mips64el]=1 [mipsel]=1)
declare -A QUSER=([aarch64]=aarch64 [ppc64el]=ppc64le [armhf]=arm [armhf-arm]=arm
	[mips64el]=mips64el [mipsel]=mipsel [s390x]=s390x [ppc64]=ppc64 [riscv64]=riscv64)

for a in $ARCHES; do
	[ -n "${TRIPLE[$a]:-}" ] || { echo "unknown architecture $a (known: $KNOWN)" >&2; exit 2; }
done

mkdir -p "$CACHE" "$OUT" || exit 2
# Per architecture and kernel ("aarch64 old"): the image, its version
# ("6.1"), why it cannot run, and extra boot parameters.
declare -A SKIP_BUILD BUILD_FAILED SKIP_KERNEL KERNEL KVER KARGS RESULT
T0=$(date +%s)
log() { printf '[%4ds] %s\n' $(($(date +%s) - T0)) "$*"; }

# ---- 1. Debian packages -------------------------------------------------
# Retried while another apt or dpkg holds the lock.
apt_install() {
	local i
	for i in $(seq 60); do
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
			> "$OUT/apt-install.log" 2>&1 && return 0
		grep -q 'Could not get lock\|Unable to acquire\|is locked' "$OUT/apt-install.log" || return 1
		sleep 10
	done
	return 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

want="cpio gzip qemu-user-static"
for a in $ARCHES; do
	want="$want ${QPKG[$a]:-}"
	[ "$a" = x86_64 ] || want="$want gcc-${TRIPLE[$a]} libc6-dev-${DEBARCH[$a]}-cross"
done
missing=
for p in $(printf '%s\n' $want | sort -u); do installed "$p" || missing="$missing $p"; done
if [ -n "$missing" ]; then
	if [ -n "${PERCPU_NO_INSTALL:-}" ] || [ "$(id -u)" != 0 ]; then
		log "not installing (PERCPU_NO_INSTALL or not root):$missing"
	else
		log "installing:$missing"
		apt_install $missing || {
			# One unavailable package must not cost the others: one by one.
			apt-get update -q > "$OUT/apt-update.log" 2>&1
			for p in $missing; do apt_install "$p" || log "cannot install $p"; done
		}
	fi
fi

# ---- 2. kernels, through a private apt state --------------------------
# The system's apt and dpkg configuration (its architectures) stay untouched.
# One apt state per suite: $CACHE/apt (bookworm), $CACHE/apt-<suite>.
# Kernels are unpacked under $CACHE/k/<debarch> (bookworm, as before) and
# $CACHE/k-<suite>/<debarch>/<version>; the .debs stay in $CACHE/debs*.

# Keep apt's binary package cache in the private state: Debian's container
# images turn it off (docker-clean), and each apt-cache run would then parse
# the whole index again (seconds per call, per architecture).
APT_CACHE_OPTS=(-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin)

archive_uri() {
	local uri
	uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${uri:-http://deb.debian.org/debian}"
}

# "6.1" from "6.1.0-50-arm64" or "7.2" from "7.2.13+deb14-arm64".
short_version() { echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'; }

# Debian 12's kernels (the oldest supported): linux-image-<v> with ./boot.
fetch_old_kernels() {
	local a pkg deb dir i archs=() opts
	mkdir -p "$CACHE"/apt/lists/partial "$CACHE"/apt/cache/archives/partial "$CACHE"/debs
	echo "deb $(archive_uri) bookworm main" > "$CACHE/apt/sources.list"
	opts=(-o Dir::Etc::SourceList="$CACHE/apt/sources.list" -o Dir::Etc::SourceParts=-
		-o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt/cache"
		-o APT::Sandbox::User=root -o Acquire::Retries=3 "${APT_CACHE_OPTS[@]}")
	for a in $ARCHES; do
		if [ -z "${KMETA[$a]:-}" ]; then
			SKIP_KERNEL[$a old]="Debian 12 has no ${DEBARCH[$a]} kernel"
			continue
		fi
		archs+=(-o APT::Architectures::="${DEBARCH[$a]}")
	done

	local need=0
	for a in $ARCHES; do
		[ -n "${KMETA[$a]:-}" ] || continue
		ls "$CACHE/k/${DEBARCH[$a]}"/boot/vmlinu[xz]-* > /dev/null 2>&1 || need=1
	done
	if [ $need = 1 ]; then
		for i in 1 2 3; do
			apt-get "${opts[@]}" "${archs[@]}" -q update > "$OUT/apt-kernels.log" 2>&1 && break
			sleep $((i * 5))
		done
	fi
	for a in $ARCHES; do
		[ -n "${KMETA[$a]:-}" ] || continue
		dir=$CACHE/k/${DEBARCH[$a]}
		if ! ls "$dir"/boot/vmlinu[xz]-* > /dev/null 2>&1; then
			pkg=$(apt-cache "${opts[@]}" "${archs[@]}" depends "${KMETA[$a]}:${DEBARCH[$a]}" 2>/dev/null |
				sed -n 's/^ *Depends: \(linux-image-[^ ]*\).*/\1/p' | head -1)
			if [ -z "$pkg" ]; then
				SKIP_KERNEL[$a old]="no ${KMETA[$a]} in the bookworm index (see $OUT/apt-kernels.log)"
				continue
			fi
			for i in 1 2 3; do
				(cd "$CACHE/debs" && apt-get "${opts[@]}" "${archs[@]}" -q download "$pkg") \
					>> "$OUT/apt-kernels.log" 2>&1 && break
				sleep $((i * 5))
			done
			deb=$(ls "$CACHE/debs/${pkg%%:*}"_*.deb 2>/dev/null | head -1)
			if [ -z "$deb" ]; then
				SKIP_KERNEL[$a old]="cannot download $pkg after 3 tries (see $OUT/apt-kernels.log)"
				continue
			fi
			mkdir -p "$dir"
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" ./boot ||
				{ SKIP_KERNEL[$a old]="cannot unpack $deb"; continue; }
		fi
		if ! grep -q '^CONFIG_RSEQ=y' "$dir"/boot/config-*; then
			SKIP_KERNEL[$a old]="the kernel has no CONFIG_RSEQ"
			continue
		fi
		KERNEL[$a old]=$(ls "$dir"/boot/vmlinu[xz]-* | head -1)
		KVER[$a old]=$(short_version "$(basename "${KERNEL[$a old]}" | sed 's/^vmlinu[xz]-//')")
	done
}

# apt-cache options... -- packages: "package dependency" per Depends line,
# the package without its ":arch" (kernel package names differ per arch).
pkg_deps() {
	local o=()
	while [ "$1" != -- ]; do o+=("$1"); shift; done
	shift
	apt-cache "${o[@]}" depends "$@" 2>/dev/null |
		awk '/^[^ ]/ { p = $1; sub(/:.*/, "", p) } /^ *Depends:/ { print p, $2 }'
}

# The newest kernel Debian ships: the metapackage's current linux-image-<v>
# in $NEW_SUITE.  From 7.x linux-image-<v> holds no files and depends on
# linux-binary-<v> (the image) and linux-base-<v> (config, System.map), which
# install under /usr/lib/modules/<v>/; older kernels ship ./boot in
# linux-image-<v> itself.  The index is refreshed on every run (a kernel
# newer than the cached one is fetched; an unchanged index costs a few
# seconds); with no network the cached index and kernels are used.
fetch_new_kernels() {
	local W=$CACHE/apt-$NEW_SUITE D=$CACHE/debs-$NEW_SUITE a i img ver dir deb pkg f
	local archs=() opts parts
	mkdir -p "$W"/lists/partial "$W"/cache/archives/partial "$D"
	echo "deb $(archive_uri) $NEW_SUITE main" > "$W/sources.list"
	opts=(-o Dir::Etc::SourceList="$W/sources.list" -o Dir::Etc::SourceParts=-
		-o Dir::State::Lists="$W/lists" -o Dir::Cache="$W/cache"
		-o APT::Sandbox::User=root -o Acquire::Retries=3 "${APT_CACHE_OPTS[@]}")
	for a in $ARCHES; do
		if [ -z "${KMETA_NEW[$a]:-}" ]; then
			SKIP_KERNEL[$a new]="Debian $NEW_SUITE has no ${DEBARCH[$a]} kernel"
			continue
		fi
		archs+=(-o APT::Architectures::="${DEBARCH[$a]}")
	done
	[ ${#archs[@]} -gt 0 ] || return 0
	for i in 1 2 3; do
		apt-get "${opts[@]}" "${archs[@]}" -q update > "$OUT/apt-kernels-new.log" 2>&1 && break
		sleep $((i * 5))
	done
	# What every metapackage and every image package depends on, in two
	# apt-cache runs (each one reads the whole index: seconds).
	local metas=() imgs=() deps
	for a in $ARCHES; do
		[ -n "${KMETA_NEW[$a]:-}" ] && metas+=("${KMETA_NEW[$a]}:${DEBARCH[$a]}")
	done
	deps=$(pkg_deps "${opts[@]}" "${archs[@]}" -- "${metas[@]}")
	for a in $ARCHES; do
		[ -n "${KMETA_NEW[$a]:-}" ] || continue
		img=$(awk -v p="${KMETA_NEW[$a]}" '$1 == p && $2 ~ /^linux-image-[0-9]/ { print $2; exit }' <<< "$deps")
		[ -n "$img" ] && imgs+=("$img")
	done
	[ ${#imgs[@]} -gt 0 ] && deps="$deps
$(pkg_deps "${opts[@]}" "${archs[@]}" -- "${imgs[@]}")"
	for a in $ARCHES; do
		[ -n "${KMETA_NEW[$a]:-}" ] || continue
		img=$(awk -v p="${KMETA_NEW[$a]}" '$1 == p && $2 ~ /^linux-image-[0-9]/ { print $2; exit }' <<< "$deps")
		if [ -z "$img" ]; then
			SKIP_KERNEL[$a new]="no ${KMETA_NEW[$a]} in the $NEW_SUITE index (see $OUT/apt-kernels-new.log)"
			continue
		fi
		ver=${img#linux-image-}
		ver=${ver%%:*}
		dir=$CACHE/k-$NEW_SUITE/${DEBARCH[$a]}/$ver
		if [ ! -e "$dir/.complete" ]; then
			rm -rf "$dir" && mkdir -p "$dir"
			# The packages that hold the image and the config, as the
			# index says (linux-binary-<v>, linux-base-<v>), else the
			# image package itself.
			parts=$(awk -v p="${img%%:*}" '$1 == p && $2 ~ /^linux-(binary|base)-[0-9]/ { print $2 }' \
				<<< "$deps" | sort -u)
			[ -n "$parts" ] || parts=$img
			for pkg in $parts; do
				for i in 1 2 3; do
					(cd "$D" && apt-get "${opts[@]}" "${archs[@]}" -q download "$pkg") \
						>> "$OUT/apt-kernels-new.log" 2>&1 && break
					sleep $((i * 5))
				done
				deb=$(ls "$D/${pkg%%:*}"_*.deb 2>/dev/null | head -1)
				[ -n "$deb" ] || { SKIP_KERNEL[$a new]="cannot download $pkg (see $OUT/apt-kernels-new.log)"; break; }
				dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards \
					"./usr/lib/modules/$ver/vmlinu*" "./usr/lib/modules/$ver/config" \
					"./boot/vmlinu*" "./boot/config-*" 2> /dev/null
			done
			[ -z "${SKIP_KERNEL[$a new]:-}" ] || continue
			# One layout whichever the packages used: $dir/vmlinuz, $dir/config.
			for f in "$dir"/usr/lib/modules/"$ver"/vmlinu* "$dir"/boot/vmlinu[xz]-*; do
				[ -f "$f" ] && mv "$f" "$dir/vmlinuz" && break
			done
			for f in "$dir/usr/lib/modules/$ver/config" "$dir"/boot/config-*; do
				[ -f "$f" ] && mv "$f" "$dir/config" && break
			done
			rm -rf "$dir/usr" "$dir/boot"
			if [ ! -f "$dir/vmlinuz" ] || [ ! -f "$dir/config" ]; then
				SKIP_KERNEL[$a new]="no image or config in $parts"
				continue
			fi
			touch "$dir/.complete"
		fi
		if ! grep -q '^CONFIG_RSEQ=y' "$dir/config"; then
			SKIP_KERNEL[$a new]="the kernel $ver has no CONFIG_RSEQ"
			continue
		fi
		KERNEL[$a new]=$dir/vmlinuz
		KVER[$a new]=$(short_version "$ver")
		# The rseq rewrite (6.19) came with rseq_debug=, which makes the
		# kernel check that user space left its fields alone.
		grep -q 'CONFIG_RSEQ_DEBUG_DEFAULT_ENABLE' "$dir/config" && KARGS[$a new]=rseq_debug=1
	done
}
log "kernels: $KERNELS (cache $CACHE)"
for k in $KERNELS; do
	case $k in
	old) fetch_old_kernels ;;
	new) fetch_new_kernels ;;
	*) echo "unknown kernel set $k (old, new)" >&2; exit 2 ;;
	esac
done

# ---- 3. cross builds ---------------------------------------------------
programs=$(awk '$1 !~ /^#/ && NF { print $1 }' "$MANIFEST")

build_arch() {
	local a=$1 o=$OUT/$1 cc f p
	cc=${TRIPLE[$a]}-gcc
	[ "$a" = x86_64 ] && ! command -v "$cc" > /dev/null && cc=gcc
	local cflags=(-O2 -static -pthread -Wall -Wextra -Werror -I"$o" -I"$SRC/include" -I"$SRC"
		${XFLAGS[$a]:-})
	rm -rf "$o/bin" "$o/obj" && mkdir -p "$o/bin" "$o/obj" || return 1
	# What configure would find in Debian's glibc 2.36, for every architecture.
	cat > "$o/config.h" <<-CONFIG
	#define _GNU_SOURCE 1
	#define HAVE_SYS_RSEQ_H 1
	#define HAVE_SYS_AUXV_H 1
	#define HAVE_GETAUXVAL 1
	#define HAVE_SCHED_GETCPU 1
	#define HAVE_LINUX_MEMBARRIER_H 1
	#define HAVE_LINUX_SECCOMP_H 1
	#define HAVE_LINUX_FILTER_H 1
	CONFIG
	# What configure generates: percpu/version.h (the version from AC_INIT).
	local v; v=$(sed -n 's/^AC_INIT(\[libpercpu\], \[\([0-9.]*\)\].*/\1/p' "$SRC/configure.ac")
	mkdir -p "$o/percpu" && sed -e "s/@PACKAGE_VERSION@/$v/" -e "s/@PERCPU_VERSION_MAJOR@/${v%%.*}/" \
		-e "s/@PERCPU_VERSION_MINOR@/$(echo "$v" | cut -d. -f2)/" -e "s/@PERCPU_VERSION_PATCH@/${v##*.}/" \
		"$SRC/include/percpu/version.h.in" > "$o/percpu/version.h" || return 1
	for f in "$SRC"/lib/*.c; do
		$cc "${cflags[@]}" -fvisibility=hidden -c -o "$o/obj/$(basename "$f" .c).o" "$f" || return 1
	done
	$cc "${cflags[@]}" -o "$o/init" "$SRC/tests/arch/init.c" || return 1
	for p in $programs; do
		# tests/<p>.c, or the worked example's test in examples/custom/.
		f=$SRC/tests/$p.c; [ -f "$f" ] || f=$SRC/examples/custom/$p.c
		$cc "${cflags[@]}" -I"$SRC/tests" -o "$o/bin/$p" "$f" "$o"/obj/*.o ${XLIBS[$a]:-} || return 1
	done
	# The initramfs: /init, /tests.list and /bin/<programs>; cpio needs no root.
	rm -rf "$o/root" && mkdir -p "$o/root/bin" && cp "$o"/bin/* "$o/root/bin/" &&
		cp "$o/init" "$o/root/init" && cp "$MANIFEST" "$o/root/tests.list" || return 1
	(cd "$o/root" && find . | cpio -o -H newc --owner=0:0 --quiet) | gzip -1 > "$o/initrd.gz"
}

log "building $ARCHES"
gcc -O2 -static -Wall -Wextra -Werror -o "$OUT/host-init" "$SRC/tests/arch/init.c" || exit 2
declare -A BUILD_PID
for a in $ARCHES; do
	cc=${TRIPLE[$a]}-gcc
	[ "$a" = x86_64 ] && cc=gcc
	if ! command -v "$cc" > /dev/null || { [ "$a" != x86_64 ] &&
		! installed "libc6-dev-${DEBARCH[$a]}-cross"; }; then
		SKIP_BUILD[$a]="no cross toolchain ($cc, libc6-dev-${DEBARCH[$a]}-cross)"
		continue
	fi
	# Two at a time: this machine has two cores and other work.
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
	build_arch "$a" > "$OUT/build-$a.log" 2>&1 &
	BUILD_PID[$a]=$!
done
for a in "${!BUILD_PID[@]}"; do
	# The toolchain is there, so a failed build is a failure, not a skip.
	wait "${BUILD_PID[$a]}" || BUILD_FAILED[$a]="build failed (see $OUT/build-$a.log)"
done
for a in $ARCHES; do
	[ -n "${BUILD_FAILED[$a]:-}" ] && grep -q 'error' "$OUT/build-$a.log" 2>/dev/null &&
		tail -5 "$OUT/build-$a.log"
done

# How a guest of @arch on emulator @qemu runs its vCPUs: one host thread each
# (multi), or all on one (single).  With one thread per vCPU, QEMU before 9.0
# lets a broadcast tlbie of a ppc64 guest complete before the other vCPUs have
# dropped the translation (fixed by "target/ppc: Fix broadcast tlbie
# synchronisation", N. Piggin, March 2024): a vCPU can go on storing through
# a page the kernel has write-protected and flushed.  fork() does exactly
# that to the parent's private pages, so stores that the parent's other
# threads make meanwhile are lost (the copy-on-write copy misses them).
# Debian 12's qemu 7.2 has the bug: in t_ring_api's fork test, the writers'
# counters in private memory lost 1 to 8 increments (of millions) in most
# 6.1 guest runs, and none with one host thread.  One thread for all vCPUs
# cannot miss a flush; it is slower.
tcg_threads() {	# arch qemu
	local major
	[ -n "${PERCPU_TCG_THREADS:-}" ] && { echo "$PERCPU_TCG_THREADS"; return; }
	case $1 in
	ppc64el|ppc64)
		major=$("$2" --version 2> /dev/null | sed -n '1s/.*version \([0-9]*\)\..*/\1/p')
		[ "${major:-0}" -lt 9 ] && { echo single; return; } ;;
	esac
	echo multi
}

# ---- 4. runs -----------------------------------------------------------
# Counts one run's results from the runner's "@@ <tag> <program> <mode>"
# lines: "passed failed skipped aborts complete".  A program that exits
# non-zero without a "not ok" line (crash, wrong plan, timeout) is a failure.
count() {
	tr -d '\r' < "$1" | awk -v tag="$2" '
	$1 == "@@" && $2 == tag {
		key = $3 " " $4
		if ($5 == "|") {
			line = substr($0, index($0, "| ") + 2)
			if (line ~ /^not ok/) { fail++; notok[key] = 1 }
			else if (line ~ /^ok .*# SKIP/) skip++
			else if (line ~ /^ok/) pass++
			else if (line ~ /^1\.\.0/) skip++
			else if (match(line, /[0-9]+ kernel aborts/))
				aborts += substr(line, RSTART, RLENGTH) + 0
		} else if ($5 == "exit" && $6 != 0 && !(key in notok)) {
			fail++
			print "  " tag " " key ": exit status " $6 > "/dev/stderr"
		} else if ($3 == "done") done = 1
		if ($5 == "|" && line ~ /^not ok/) print "  " tag " " key ": " line > "/dev/stderr"
	}
	END { printf "%d %d %d %d %d\n", pass, fail, skip, aborts, done }'
}

# Run a guest (the command line after the log) until it powers off.  A busy
# host makes guests slow, not wrong: the guest is killed only when it has
# printed nothing for GUEST_IDLE seconds (a hung boot or test; init.c kills a
# test program after 180 s and goes on), or after BOOT_TIMEOUT in all.
run_guest() {	# log, command...
	local log=$1 pid size last=-1 idle=0 t0=$SECONDS
	shift
	"$@" < /dev/null > "$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2> /dev/null; do
		sleep 5
		size=$(stat -c %s "$log" 2> /dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size idle=0
		else
			idle=$((idle + 5))
		fi
		if [ "$idle" -ge "$GUEST_IDLE" ] || [ $((SECONDS - t0)) -ge "$BOOT_TIMEOUT" ]; then
			log "killing the guest: silent for $idle s, $((SECONDS - t0)) s in all"
			kill "$pid" 2> /dev/null
			sleep 2
			kill -9 "$pid" 2> /dev/null
			break
		fi
	done
	wait "$pid" 2> /dev/null
}

# Totals per summary line: an architecture (build, libatomic check, native
# or qemu-user run) or an architecture on a kernel ("aarch64-7.2"), in the
# order first seen.
declare -A SUM_P SUM_F SUM_S SUM_A SEEN
KEYS=()
FAILED=0
DETAILS=()
add_key() { [ -n "${SEEN[$1]:-}" ] || { SEEN[$1]=1; KEYS+=("$1"); }; }

# The version of kernel set @2 ("old", "new") for architecture @1, or where
# it has none, the one the other architectures got ("riscv64-6.1: skipped").
kernel_label() {
	local b
	[ -n "${KVER[$1 $2]:-}" ] && { echo "${KVER[$1 $2]}"; return; }
	for b in $ARCHES; do
		[ -n "${KVER[$b $2]:-}" ] && { echo "${KVER[$b $2]}"; return; }
	done
	echo "$2"
}
record() {	# arch, what, log, seconds, tag
	local p f s ab done
	add_key "$1"
	read -r p f s ab done < <(count "$3" "$5")
	if [ "$done" != 1 ]; then
		f=$((f + 1))
		DETAILS+=("  $1 $2: did not finish (see $3)")
	elif [ $((p + f + s)) = 0 ]; then
		f=$((f + 1))
		DETAILS+=("  $1 $2: no results (see $3)")
	fi
	SUM_P[$1]=$((${SUM_P[$1]:-0} + p))
	SUM_F[$1]=$((${SUM_F[$1]:-0} + f))
	SUM_S[$1]=$((${SUM_S[$1]:-0} + s))
	SUM_A[$1]=$((${SUM_A[$1]:-0} + ab))
	[ "$f" = 0 ] || FAILED=1
	DETAILS+=("  $1 $2: $p passed, $f failed, $s skipped, aborts=$ab, $4 s")
	log "$1 $2: $p passed, $f failed, $s skipped, aborts=$ab, $4 s"
}
skipped() {	# arch, what, reason
	add_key "$1"
	SUM_S[$1]=$((${SUM_S[$1]:-0} + 1))
	DETAILS+=("  $1 $2: SKIPPED: $3")
	log "$1 $2: SKIPPED: $3"
}

# The library must not call libatomic where the compiler has no lock-free
# atomic of that size (64-bit on mips o32): libatomic takes a lock, and a
# signal handler that interrupts the holder and writes to the same structure
# waits forever.  Only the counter's 64-bit base (sum and reset, documented
# as not async-signal-safe there) may.  Written as a one-test TAP run.
check_libatomic() {	# arch -> log
	local a=$1 o=$OUT/$1 nm=${TRIPLE[$1]}-nm bad f
	command -v "$nm" > /dev/null || nm=nm
	bad=$(for f in "$o"/obj/*.o; do
		"$nm" -u "$f" | awk -v f="$(basename "$f")" '$2 ~ /^__atomic_/ { print f ":" $2 }'
	done | grep -v '^counter\.o:__atomic_\(load\|store\)_8$')
	echo "@@ $a libatomic - | 1..1"
	if [ -z "$bad" ]; then
		echo "@@ $a libatomic - | ok 1 - no libatomic call outside the counter's sum and reset"
	else
		echo "@@ $a libatomic - | not ok 1 - libatomic calls (not async-signal-safe): $(echo $bad)"
	fi
	echo "@@ $a libatomic - exit 0"
	echo "@@ $a done"
}

for a in $ARCHES; do
	o=$OUT/$a
	if [ -n "${SKIP_BUILD[$a]:-}" ]; then
		skipped "$a" build "${SKIP_BUILD[$a]}"
		continue
	fi
	if [ -n "${BUILD_FAILED[$a]:-}" ]; then
		add_key "$a"
		SUM_F[$a]=$((${SUM_F[$a]:-0} + 1))
		FAILED=1
		DETAILS+=("  $a build: FAILED: ${BUILD_FAILED[$a]}")
		log "$a build: FAILED: ${BUILD_FAILED[$a]}"
		continue
	fi
	check_libatomic "$a" > "$o/libatomic.log"
	record "$a" "libatomic check" "$o/libatomic.log" 0 "$a"
	t=$(date +%s)
	if [ "$a" = x86_64 ]; then
		PERCPU_ARCH_TAG=$a PERCPU_TEST_DIR=$o/bin PERCPU_TEST_LIST=$MANIFEST \
			PERCPU_TEST_SECS=$SECS PERCPU_TEST_MAX_SECS=$MAX_SECS "$OUT/host-init" \
			> "$o/native.log" 2>&1
		record "$a" native "$o/native.log" $(($(date +%s) - t)) "$a"
	elif command -v "qemu-${QUSER[$a]}-static" > /dev/null; then
		# PERCPU_DISABLE_RSEQ set up front: qemu-user cannot re-execute
		# a foreign binary through /proc/self/exe.
		PERCPU_ARCH_TAG=$a PERCPU_TEST_DIR=$o/bin PERCPU_TEST_LIST=$MANIFEST \
			PERCPU_TEST_WRAPPER=qemu-${QUSER[$a]}-static PERCPU_TEST_MODES="- fallback" \
			PERCPU_DISABLE_RSEQ=1 PERCPU_TEST_SECS=0.5 "$OUT/host-init" > "$o/user.log" 2>&1
		record "$a" qemu-user "$o/user.log" $(($(date +%s) - t)) "$a"
	else
		skipped "$a" qemu-user "qemu-${QUSER[$a]}-static not installed"
	fi

	qemu=${QSYS[$a]:-none}
	qemu=${qemu%% *}
	for k in $KERNELS; do
		key=$a-$(kernel_label "$a" "$k")
		if [ -n "${SKIP_KERNEL[$a $k]:-}" ] || [ -z "${KERNEL[$a $k]:-}" ]; then
			skipped "$key" kernel "${SKIP_KERNEL[$a $k]:-no kernel}"
			continue
		elif ! command -v "$qemu" > /dev/null; then
			skipped "$key" kernel "$qemu not installed"
			continue
		fi
		t=$(date +%s)
		smp=${SMP[$a]:-2}
		accel=tcg
		extra=${KARGS[$a $k]:-}
		[ "$smp" -gt 1 ] && accel=tcg,thread=$(tcg_threads "$a" "$qemu")
		[ "$accel" = tcg,thread=single ] &&
			log "$key: $smp vCPUs on one host thread ($qemu before 9.0 misses ppc64 TLB flushes)"
		# MIPS: the 5KEf/34Kf models have no rdhwr, so the kernel
		# emulates every TLS access, and interrupts almost always arrive
		# right after that trap, outside any section: spin longer inside
		# them.
		case $a in mips*) extra="$extra PERCPU_TEST_INJECT_LOOPS=2000" ;; esac
		# -nic none: the guests need no network, and the default NIC
		# wants option ROMs (ipxe-qemu) that a --no-install-recommends
		# install lacks.
		run_guest "$o/kernel-$k.log" ${QSYS[$a]} -smp "$smp" -accel "$accel" -m 512 -nographic \
			-nic none -no-reboot -kernel "${KERNEL[$a $k]}" -initrd "$o/initrd.gz" \
			-append "console=${CONSOLE[$a]} panic=-1 quiet PERCPU_TEST_SECS=$SECS PERCPU_TEST_MAX_SECS=$MAX_SECS PERCPU_ARCH_TAG=$key $extra"
		record "$key" "kernel $(basename "$(dirname "${KERNEL[$a $k]}")")/$(basename "${KERNEL[$a $k]}")${KARGS[$a $k]:+ ${KARGS[$a $k]}}" \
			"$o/kernel-$k.log" $(($(date +%s) - t)) "$key"
	done
done

# ---- 5. summary ----------------------------------------------------------
echo
echo "libpercpu on every architecture and kernel ($(($(date +%s) - T0)) s; logs in $OUT):"
printf '%s\n' "${DETAILS[@]}"
for key in "${KEYS[@]}"; do
	echo "$key: ${SUM_P[$key]:-0} passed, ${SUM_F[$key]:-0} failed, ${SUM_S[$key]:-0} skipped, aborts=${SUM_A[$key]:-0}"
done
exit $FAILED
