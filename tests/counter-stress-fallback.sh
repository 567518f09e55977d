#!/bin/sh
# t_counter_stress in mode fallback (see testutil.h).
exec ./t_counter_stress fallback
