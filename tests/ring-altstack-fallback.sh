#!/bin/sh
# t_ring_altstack in mode fallback (see testutil.h).
exec ./t_ring_altstack fallback
