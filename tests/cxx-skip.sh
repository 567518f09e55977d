#!/bin/sh
# SPDX-License-Identifier: MIT
# Stands in for t_cxx when configure found no C++ compiler that uses the C
# compiler's C library (musl-gcc beside the system's glibc g++): the C++
# test cannot be linked, so it is skipped with configure's reason.
echo "1..0 # SKIP t_cxx: ${CXX_SKIP_REASON:-no matching C++ compiler}"
