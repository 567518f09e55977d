#!/bin/sh
# t_counter_stress in mode own (see testutil.h).
exec ./t_counter_stress own
