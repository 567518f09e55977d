#!/bin/sh
# t_structs_stress in mode libc (see testutil.h): list, buffer, ring.
exec ./t_structs_stress libc
