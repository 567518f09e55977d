#!/bin/sh
# t_fbnest in mode seccomp (see testutil.h).
exec ./t_fbnest seccomp
