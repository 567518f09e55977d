#!/bin/sh
# t_dlclose in mode own (see testutil.h).
exec ./t_dlclose own
