#!/bin/sh
# t_slab_api in mode fallback (see testutil.h).
exec ./t_slab_api fallback
