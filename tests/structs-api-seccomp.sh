#!/bin/sh
# t_structs_api in mode seccomp (see testutil.h).
exec ./t_structs_api seccomp
