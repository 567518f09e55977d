#!/bin/sh
# t_regsize in mode own (see testutil.h).
exec ./t_regsize own
