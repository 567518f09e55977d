#!/bin/sh
# t_fork in mode own (see testutil.h).
exec ./t_fork own
