#!/bin/sh
# t_register in mode nosys under valgrind (make check-valgrind).
exec "$srcdir/valgrind-run" ./t_register nosys
