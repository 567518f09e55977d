#!/bin/sh
# t_ring_api in mode libc (see testutil.h).
exec ./t_ring_api libc
