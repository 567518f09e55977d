#!/bin/sh
# t_register in mode seccomp (see testutil.h).
exec ./t_register seccomp
