#!/bin/sh
# t_counter_stress in mode seccomp (see testutil.h).
exec ./t_counter_stress seccomp
