#!/bin/sh
# t_mixed_stress in mode own (see testutil.h).
exec ./t_mixed_stress own
