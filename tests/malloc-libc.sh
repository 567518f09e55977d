#!/bin/sh
# t_malloc in mode libc (see testutil.h).
exec ./t_malloc libc
