#!/bin/sh
# t_counter_reset in mode seccomp (see testutil.h).
exec ./t_counter_reset seccomp
