#!/bin/sh
# t_structs_stress in mode own (see testutil.h), structures indexed by mm_cid.
PERCPU_TEST_MM_CID=1 exec ./t_structs_stress own
