#!/bin/sh
# t_dlclose in mode seccomp (see testutil.h).
exec ./t_dlclose seccomp
