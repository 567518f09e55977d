#!/bin/sh
# t_structs_stress in mode libc (see testutil.h), structures indexed by mm_cid.
PERCPU_TEST_MM_CID=1 exec ./t_structs_stress libc
