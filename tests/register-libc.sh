#!/bin/sh
# t_register in mode libc (see testutil.h).
exec ./t_register libc
