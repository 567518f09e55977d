#!/bin/sh
# t_ring_altstack in mode libc (see testutil.h).
exec ./t_ring_altstack libc
