#!/bin/sh
# t_mixed_stress in mode own, rseq threads starting after the fallback ones.
exec ./t_mixed_stress own late
