#!/bin/sh
# t_ring_stress in mode seccomp (see testutil.h): discard and overwrite rings, reader in another process.
exec ./t_ring_stress seccomp
