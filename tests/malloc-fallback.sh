#!/bin/sh
# t_malloc in mode fallback (see testutil.h).
exec ./t_malloc fallback
