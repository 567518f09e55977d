#!/bin/sh
# t_structs_api in mode libc (see testutil.h).
exec ./t_structs_api libc
