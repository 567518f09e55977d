#!/bin/sh
# t_counter_reset in mode fallback (see testutil.h).
exec ./t_counter_reset fallback
