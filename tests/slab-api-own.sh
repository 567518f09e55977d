#!/bin/sh
# t_slab_api in mode own (see testutil.h).
exec ./t_slab_api own
