#!/bin/sh
# t_malloc in mode seccomp (see testutil.h).
exec ./t_malloc seccomp
