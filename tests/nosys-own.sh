#!/bin/sh
# t_nosys in mode own (see testutil.h).
exec ./t_nosys own
