#!/bin/sh
# t_signature in mode own (see testutil.h).
exec ./t_signature own
