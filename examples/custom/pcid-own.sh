#!/bin/sh
# t_pcid in mode own (see tests/testutil.h).
exec ./custom/t_pcid own
