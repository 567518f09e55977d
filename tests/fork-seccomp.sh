#!/bin/sh
# t_fork in mode seccomp (see testutil.h).
exec ./t_fork seccomp
