#!/bin/sh
# t_fork in mode fallback (see testutil.h).
exec ./t_fork fallback
