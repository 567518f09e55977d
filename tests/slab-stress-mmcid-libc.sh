#!/bin/sh
# t_slab_stress in mode libc (see testutil.h), slab indexed by mm_cid.
PERCPU_TEST_MM_CID=1 exec ./t_slab_stress libc
