#!/bin/sh
# t_nosys in mode seccomp (see testutil.h).
exec ./t_nosys seccomp
