#!/bin/sh
# t_structs_stress in mode nosys under valgrind (make check-valgrind).
exec "$srcdir/valgrind-run" ./t_structs_stress nosys
