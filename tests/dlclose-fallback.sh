#!/bin/sh
# t_dlclose in mode fallback (see testutil.h).
exec ./t_dlclose fallback
