#!/bin/sh
# t_structs_stress in mode seccomp (see testutil.h): list, buffer, ring.
exec ./t_structs_stress seccomp
