#!/bin/sh
# t_nomb_stress in mode libc (see testutil.h).
exec ./t_nomb_stress libc
