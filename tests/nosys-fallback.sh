#!/bin/sh
# t_nosys in mode fallback (see testutil.h).
exec ./t_nosys fallback
