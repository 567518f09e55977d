#!/bin/sh
# t_pcid in mode seccomp (see tests/testutil.h).
exec ./custom/t_pcid seccomp
