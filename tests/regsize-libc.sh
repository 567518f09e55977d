#!/bin/sh
# t_regsize in mode libc (see testutil.h).
exec ./t_regsize libc
