/* SPDX-License-Identifier: MIT */
/*
 * percpu/percpu.h - all of libpercpu's public API.
 */
#ifndef _PERCPU_PERCPU_H
#define _PERCPU_PERCPU_H

#include <percpu/compiler.h>
#include <percpu/rseq.h>
#include <percpu/arch.h>
#include <percpu/mem.h>
#include <percpu/counter.h>
#include <percpu/list.h>
#include <percpu/buffer.h>
#include <percpu/ring.h>
#include <percpu/version.h>

#endif /* _PERCPU_PERCPU_H */
