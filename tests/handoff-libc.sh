#!/bin/sh
# t_handoff in mode libc (see testutil.h).
exec ./t_handoff libc
