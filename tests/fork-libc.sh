#!/bin/sh
# t_fork in mode libc (see testutil.h).
exec ./t_fork libc
