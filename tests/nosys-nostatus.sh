#!/bin/sh
# t_nosys in mode libc, /proc/self/status hidden too (see t_nosys.c).
PERCPU_TEST_NOSYS_NOSTATUS=1 exec ./t_nosys libc
