#!/bin/sh
# t_nomb_stress in mode own (see testutil.h).
exec ./t_nomb_stress own
