#!/bin/sh
# t_handoff in mode own (see testutil.h).
exec ./t_handoff own
