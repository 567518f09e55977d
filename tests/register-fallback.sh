#!/bin/sh
# t_register in mode fallback (see testutil.h).
exec ./t_register fallback
