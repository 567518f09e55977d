#!/bin/sh
# t_counter_stress in mode nosys under valgrind (make check-valgrind).
exec "$srcdir/valgrind-run" ./t_counter_stress nosys
