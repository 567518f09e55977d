#!/bin/sh
# t_counter_reset in mode libc (see testutil.h).
exec ./t_counter_reset libc
