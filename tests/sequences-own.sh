#!/bin/sh
# t_sequences in mode own (see testutil.h).
exec ./t_sequences own
