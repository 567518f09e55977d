#!/bin/sh
# t_counter_stress in mode libc (see testutil.h).
exec ./t_counter_stress libc
