#!/bin/sh
# t_nomb_stress in mode seccomp (see testutil.h).
exec ./t_nomb_stress seccomp
