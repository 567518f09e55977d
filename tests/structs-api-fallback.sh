#!/bin/sh
# t_structs_api in mode fallback (see testutil.h).
exec ./t_structs_api fallback
