#!/bin/sh
# t_sequences in mode libc (see testutil.h).
exec ./t_sequences libc
