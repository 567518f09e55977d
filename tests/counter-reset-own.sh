#!/bin/sh
# t_counter_reset in mode own (see testutil.h).
exec ./t_counter_reset own
