#!/bin/sh
# t_signature in mode libc (see testutil.h).
exec ./t_signature libc
