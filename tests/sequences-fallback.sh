#!/bin/sh
# t_sequences in mode fallback (see testutil.h).
exec ./t_sequences fallback
