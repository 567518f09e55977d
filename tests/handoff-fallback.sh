#!/bin/sh
# t_handoff in mode fallback (see testutil.h).
exec ./t_handoff fallback
