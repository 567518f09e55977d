#!/bin/sh
# t_structs_api in mode nosys under valgrind (make check-valgrind).
exec "$srcdir/valgrind-run" ./t_structs_api nosys
