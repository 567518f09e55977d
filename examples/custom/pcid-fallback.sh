#!/bin/sh
# t_pcid in mode fallback (see tests/testutil.h).
exec ./custom/t_pcid fallback
