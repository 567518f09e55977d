#!/bin/sh
# t_counter_stress in mode fallback (see testutil.h), counter indexed by mm_cid.
PERCPU_TEST_MM_CID=1 exec ./t_counter_stress fallback
