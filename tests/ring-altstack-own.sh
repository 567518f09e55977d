#!/bin/sh
# t_ring_altstack in mode own (see testutil.h).
exec ./t_ring_altstack own
