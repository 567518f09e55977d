#!/bin/sh
# t_fbnest in mode fallback (see testutil.h).
exec ./t_fbnest fallback
