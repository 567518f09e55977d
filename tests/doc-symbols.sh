#!/bin/sh
# Every symbol the library exports (lib/libpercpu.sym) is documented: it has
# a man page of its own, or a page names it.
sym="$top_srcdir/lib/libpercpu.sym"
doc="$top_srcdir/doc"
if [ ! -f "$sym" ] || [ ! -d "$doc" ]; then
	echo "1..0 # SKIP no source tree at '$top_srcdir'"
	exit 0
fi
names=$(sed -n '/global:/,/local:/p' "$sym" | grep -o '_*percpu_[a-z0-9_]*')
echo "1..1"
missing=
for s in $names; do
	[ -f "$doc/$s.3" ] && continue
	grep -qw "$s" "$doc"/*.3 "$doc"/*.7 || missing="$missing $s"
done
if [ -z "$missing" ]; then
	echo "ok 1 - every exported symbol is documented ($(echo $names | wc -w) symbols)"
else
	echo "not ok 1 - undocumented exported symbols:$missing"
fi
