#!/bin/sh
# t_structs_stress in mode fallback (see testutil.h): list, buffer, ring.
exec ./t_structs_stress fallback
