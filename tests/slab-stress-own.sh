#!/bin/sh
# t_slab_stress in mode own (see testutil.h).
exec ./t_slab_stress own
