/* SPDX-License-Identifier: MIT */
/*
 * lib/version.c - the library's own release, for programs that compare it
 * with the one they were compiled against.
 */
#include "config.h"

#include <percpu/version.h>

unsigned int percpu_version(void)
{
	return PERCPU_VERSION;
}

const char *percpu_version_string(void)
{
	return PERCPU_VERSION_STRING;
}
