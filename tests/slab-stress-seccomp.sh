#!/bin/sh
# t_slab_stress in mode seccomp (see testutil.h).
exec ./t_slab_stress seccomp
