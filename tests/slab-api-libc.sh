#!/bin/sh
# t_slab_api in mode libc (see testutil.h).
exec ./t_slab_api libc
