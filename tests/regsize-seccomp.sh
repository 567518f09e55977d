#!/bin/sh
# t_regsize in mode seccomp (see testutil.h).
exec ./t_regsize seccomp
