#!/bin/sh
# t_structs_stress in mode own (see testutil.h): list, buffer, ring.
exec ./t_structs_stress own
