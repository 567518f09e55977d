#!/bin/sh
# t_slab_api in mode seccomp (see testutil.h).
exec ./t_slab_api seccomp
