#!/bin/sh
# t_slab_stress in mode libc (see testutil.h).
exec ./t_slab_stress libc
