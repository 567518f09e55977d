#!/bin/sh
# t_ring_altstack in mode seccomp (see testutil.h).
exec ./t_ring_altstack seccomp
