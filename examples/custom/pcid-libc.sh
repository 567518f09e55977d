#!/bin/sh
# t_pcid in mode libc (see tests/testutil.h).
exec ./custom/t_pcid libc
