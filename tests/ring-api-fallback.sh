#!/bin/sh
# t_ring_api in mode fallback (see testutil.h).
exec ./t_ring_api fallback
