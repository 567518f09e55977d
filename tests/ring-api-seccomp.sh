#!/bin/sh
# t_ring_api in mode seccomp (see testutil.h).
exec ./t_ring_api seccomp
