#!/bin/sh
# t_signature in mode fallback (see testutil.h).
exec ./t_signature fallback
