#!/bin/sh
# t_nomb_stress in mode fallback (see testutil.h).
exec ./t_nomb_stress fallback
