#!/bin/sh
# t_register in mode own (see testutil.h).
exec ./t_register own
