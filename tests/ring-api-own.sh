#!/bin/sh
# t_ring_api in mode own (see testutil.h).
exec ./t_ring_api own
