#!/bin/sh
# t_structs_api in mode own (see testutil.h).
exec ./t_structs_api own
