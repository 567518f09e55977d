#!/bin/sh
# t_regsize in mode fallback (see testutil.h).
exec ./t_regsize fallback
