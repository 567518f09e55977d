#!/bin/sh
# t_nosys in mode libc (see testutil.h).
exec ./t_nosys libc
