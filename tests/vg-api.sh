#!/bin/sh
# t_api under valgrind (make check-valgrind).
exec "$srcdir/valgrind-run" ./t_api
