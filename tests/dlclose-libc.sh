#!/bin/sh
# t_dlclose in mode libc (see testutil.h).
exec ./t_dlclose libc
