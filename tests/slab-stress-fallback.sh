#!/bin/sh
# t_slab_stress in mode fallback (see testutil.h).
exec ./t_slab_stress fallback
