#!/bin/sh
# t_malloc in mode own (see testutil.h).
exec ./t_malloc own
